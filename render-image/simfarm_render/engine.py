"""Render engine, samples and compute device.

Cycles uses the first GPU backend with a device (OptiX, CUDA, HIP, oneAPI),
else the CPU. EEVEE and Workbench draw through the GPU module (OpenGL over
EGL when headless); their device is whatever OpenGL renderer Blender got,
which is ``llvmpipe`` (software) on a machine without a GPU.
"""

from __future__ import annotations

import os

import bpy

from simfarm.plan.models import RenderSettings

BLENDER_ENGINES = {"EEVEE": "BLENDER_EEVEE", "CYCLES": "CYCLES", "WORKBENCH": "BLENDER_WORKBENCH"}
CYCLES_BACKENDS = ("OPTIX", "CUDA", "HIP", "ONEAPI")
# Workbench anti-aliasing takes one of these sample counts (ascending); the largest not above `samples` is used.
WORKBENCH_AA = ((1, "OFF"), (5, "5"), (8, "8"), (11, "11"), (16, "16"), (32, "32"))


CPUS_ENV = "SIMFARM_CPUS"  # the container's CPU limit in whole CPUs (the render pod sets it; unset: all cores)


def configure(scene: bpy.types.Scene, settings: RenderSettings) -> None:
    render = scene.render
    render.engine = BLENDER_ENGINES[settings.engine]
    cpus = cpu_limit()
    if cpus:
        render.threads_mode, render.threads = "FIXED", cpus
    render.resolution_x, render.resolution_y, render.resolution_percentage = settings.width, settings.height, 100
    render.fps, render.fps_base = settings.fps, 1.0
    render.film_transparent = False
    if settings.engine == "CYCLES":
        scene.cycles.samples = settings.samples
        # Denoised low sample counts look like far higher ones: OpenImageDenoise runs on the CPU or the GPU.
        # Its balanced model with the accurate albedo/normal prefilter looked like the high-quality one on the
        # demo (the fast prefilter left speckles on glass) and took 1 s less a frame on 2 cores.
        scene.cycles.use_denoising = True
        scene.cycles.denoiser = "OPENIMAGEDENOISE"
        scene.cycles.denoising_prefilter, scene.cycles.denoising_quality = "ACCURATE", "BALANCED"
        # Keep the synced scene, its BVH and loaded images from frame to frame, rather than rebuilding them
        # for each: 0.7 s a frame of the demo's 3.9 s on 2 cores.
        render.use_persistent_data = True
    elif settings.engine == "EEVEE":
        scene.eevee.taa_render_samples = settings.samples
    else:
        scene.display.render_aa = [label for count, label in WORKBENCH_AA if count <= settings.samples][-1]
        shading = scene.display.shading
        shading.light, shading.color_type = "STUDIO", "TEXTURE"


def cpu_limit() -> int | None:
    """Whole CPUs this worker may use, from ``SIMFARM_CPUS``; None when unset (Blender then uses every core)."""
    text = os.environ.get(CPUS_ENV, "").strip()
    if not text:
        return None
    try:
        cpus = int(text)
    except ValueError:
        raise ValueError(f"{CPUS_ENV}={text!r}: expected a whole number of CPUs") from None
    return max(1, min(cpus, bpy.types.RenderSettings.bl_rna.properties["threads"].hard_max))


def select_cycles_device(scene: bpy.types.Scene) -> str:
    """Enable the best GPU backend for Cycles; returns what was chosen, e.g. ``OPTIX: NVIDIA H100``."""
    preferences = bpy.context.preferences.addons["cycles"].preferences
    for backend in CYCLES_BACKENDS:
        try:
            preferences.compute_device_type = backend
        except TypeError:  # backend not compiled into this build
            continue
        preferences.get_devices()
        gpus = [device for device in preferences.devices if device.type == backend]
        if gpus:
            for device in preferences.devices:
                device.use = device.type == backend
            scene.cycles.device = "GPU"
            return f"{backend}: {', '.join(device.name for device in gpus)}"
    preferences.compute_device_type = "NONE"
    scene.cycles.device = "CPU"
    cpus = [device.name for device in preferences.devices if device.type == "CPU"]
    return f"CPU: {cpus[0] if cpus else 'unknown'}"


def opengl_device() -> str:
    """The OpenGL renderer EEVEE and Workbench drew with (valid after a render)."""
    import gpu

    try:
        return f"{gpu.platform.backend_type_get()}: {gpu.platform.renderer_get()}"
    except (RuntimeError, SystemError):
        return "unknown"
