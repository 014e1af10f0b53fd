"""Blender worker: renders shards of a simfarm plan."""
