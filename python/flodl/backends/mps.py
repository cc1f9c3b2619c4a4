"""``flodl.backends.mps``: Apple's Metal backend, which flodl does not have."""


def is_available() -> bool:
    """False: flodl runs on the CPU and CUDA."""
    return False


def is_built() -> bool:
    """False: flodl runs on the CPU and CUDA."""
    return False
