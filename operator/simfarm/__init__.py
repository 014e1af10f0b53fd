"""simfarm: Kubernetes-native prompt-to-video render farm."""
