"""The C kernel's build; everything else is in pyproject.toml.

logsweep/_keyscan.c counts RFC 3164 blocks (see logsweep/blockcount.py); gcc and
the Python headers build it at install.  Here and not in pyproject.toml because
setuptools still calls ``[tool.setuptools.ext-modules]`` experimental.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "logsweep._keyscan",
            sources=["logsweep/_keyscan.c"],
            extra_compile_args=["-Wall", "-Wextra"],
        )
    ]
)
