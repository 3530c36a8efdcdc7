"""The C kernels' build; everything else is in pyproject.toml.

logsweep/_keyscan.c counts RFC 3164 and access-log blocks (see
logsweep/blockcount.py), logsweep/_sshdscan.c reads sshd's common lines (see
logsweep/analyzers/sshd.py); gcc and the Python headers build them at install.
They are optional: where they cannot be built, the install goes on and the
regular expressions and the parser do the work, the same results several times
slower (CI requires the kernels: tests/test_keyscan.py, tests/test_sshdscan.py).
Here and not in pyproject.toml because setuptools still calls
``[tool.setuptools.ext-modules]`` experimental.
"""

from setuptools import Extension, setup


def kernel(name: str) -> Extension:
    return Extension(
        f"logsweep.{name}",
        sources=[f"logsweep/{name}.c"],
        depends=["logsweep/_lines.h"],
        extra_compile_args=["-Wall", "-Wextra"],
        optional=True,
    )


setup(ext_modules=[kernel("_keyscan"), kernel("_sshdscan")])
