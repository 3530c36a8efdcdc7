"""The C kernel's build; everything else is in pyproject.toml.

logsweep/_keyscan.c counts RFC 3164 and access-log blocks (see
logsweep/blockcount.py); gcc and the Python headers build it at install.  It is
optional: where it cannot be built, the install goes on and blockcount.py counts
with regular expressions, the same results ~3x slower (CI requires the kernel:
tests/test_keyscan.py).  Here and not in pyproject.toml because setuptools still
calls ``[tool.setuptools.ext-modules]`` experimental.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "logsweep._keyscan",
            sources=["logsweep/_keyscan.c"],
            depends=["logsweep/_lines.h"],
            extra_compile_args=["-Wall", "-Wextra"],
            optional=True,
        ),
        Extension(
            "logsweep._sshdscan",
            sources=["logsweep/_sshdscan.c"],
            depends=["logsweep/_lines.h"],
            extra_compile_args=["-Wall", "-Wextra"],
            optional=True,
        ),
    ]
)
