"""Write docs/validation.md and its figures (docs/img/validation/) from runs of the current model.

python docs/make_validation.py            # 5 seeds, full runs (about a minute)
python docs/make_validation.py --fast     # 2 seeds, short runs (the test suite's subset)
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from marketsim.calibration.report import ReportOptions, write_validation  # noqa: E402


def main(argv: list[str] | None = None) -> Path:
    """Parse the options and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="2 seeds and short runs")
    parser.add_argument("--seeds", type=int, help="number of seeds (1, 2, ...)")
    parser.add_argument("--out", type=Path, default=HERE / "validation.md", help="the Markdown file")
    parser.add_argument("--img-dir", type=Path, help="folder for the figures [img/validation beside --out]")
    args = parser.parse_args(argv)
    options = ReportOptions.fast() if args.fast else ReportOptions()
    if args.seeds:
        options = replace(options, seeds=args.seeds)
    img_dir = args.img_dir or args.out.parent / "img" / "validation"
    written = write_validation(args.out, img_dir, options)
    print(f"wrote {written} and figures in {img_dir}")
    return written


if __name__ == "__main__":
    main()
