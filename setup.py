"""Build hook: compile the gettext catalogs (.po) into .mo files, so the wheel carries them.

Everything else about the package is in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
CATALOGS = "quarkctl/locale/*/LC_MESSAGES/*.po"


def compile_catalogs(target_root: Path) -> list[str]:
    from babel.messages.mofile import write_mo  # a build requirement (pyproject.toml)
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(ROOT.glob(CATALOGS)):
        with po.open("rb") as source:
            catalog = read_po(source)
        mo = target_root / po.relative_to(ROOT).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as out:
            write_mo(out, catalog)  # fuzzy entries are left out: a guess is not a translation
        written.append(str(mo))
    return written


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        # An editable install imports from the source tree, so its catalogs are compiled there.
        target = ROOT if getattr(self, "editable_mode", False) else Path(self.build_lib)
        for path in compile_catalogs(target):
            self.announce(f"compiled {path}", level=2)


setup(cmdclass={"build_py": BuildWithCatalogs})
