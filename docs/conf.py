"""Sphinx configuration of the sklearn_norm documentation (``make docs``)."""

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # _pictures.py, used by the user guide's plots
os.environ.setdefault("MPLBACKEND", "Agg")

import _api  # noqa: E402

import sklearn_norm  # noqa: E402

project = "sklearn_norm"
author = "the sklearn_norm developers"
copyright = "the sklearn_norm developers"  # noqa: A001
release = version = sklearn_norm.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 from the package: formulas render offline
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "myst_parser",
]
# MyST only reads benchmarks/README.md, written for GitHub: its links to files beside it
# and its heading levels are not Sphinx cross-references, and the pictures it shows are
# made by `make bench` (copied below when present, not committed).
suppress_warnings = ["myst.xref_missing", "myst.header", "image.not_readable"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
# _api_lists.rst is included by api.rst, not a page of its own (see _api.py).
exclude_patterns = [
    "_build",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "_api_lists.rst",
]
templates_path = ["_templates"]
# The packaged MathJax, copied into _static/mathjax by sphinx-mathjax-offline (instead
# of a CDN, which an HTML copy read without a network cannot reach).
mathjax_path = "mathjax/tex-chtml.js"
root_doc = "index"
# Single backquotes are literal, as in scikit-learn: docstring type lines write
# "ndarray of shape (`n_features_in_`,)" and "(N, C, `*spatial`)".
default_role = "literal"

# The API reference is the one page with autosummary tables; its lists are written below.
autosummary_generate = ["api.rst", "_api_lists.rst"]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "default_thumb_file": None,
}

plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
plot_rcparams = {"figure.autolayout": True}

html_theme = "pydata_sphinx_theme"
html_title = "sklearn_norm"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path = []


(HERE / "generated").mkdir(exist_ok=True)
(HERE / "_api_lists.rst").write_text(_api.api_lists(), encoding="utf-8")

# The benchmark page includes benchmarks/README.md (written by `make bench`); until that
# file exists, the page says how to make it.
BENCH = HERE.parent / "benchmarks" / "README.md"
(HERE / "generated" / "benchmarks.md").write_text(
    BENCH.read_text(encoding="utf-8")
    if BENCH.is_file()
    else "No benchmark results in this checkout yet: run `make bench`.\n",
    encoding="utf-8",
)
for picture in [*BENCH.parent.glob("*.png"), *BENCH.parent.glob("*.svg")]:
    shutil.copy(picture, HERE / "generated" / picture.name)
