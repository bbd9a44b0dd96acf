"""Build hook: an installed portal carries the top-level templates/ and static/ inside its
package (a checkout and an editable install read them where they are), and its translation
catalogs compiled (`make install` compiles them in a checkout)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithSiteFiles(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        package = Path(self.build_lib) / "portal"
        for name in ("templates", "static"):
            shutil.rmtree(package / name, ignore_errors=True)
            shutil.copytree(ROOT / name, package / name)
        for po_path in package.glob("translations/*/LC_MESSAGES/messages.po"):
            _compile(po_path)


def _compile(po_path: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as po:
        catalog = read_po(po, locale=po_path.parent.parent.name)
    with po_path.with_suffix(".mo").open("wb") as mo:
        write_mo(mo, catalog)


setup(cmdclass={"build_py": BuildWithSiteFiles})
