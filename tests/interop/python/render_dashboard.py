"""Renders recorded Prometheus series (JSON written by DashboardImage.cs) as a dashboard PNG (3 panels a row) with matplotlib.

usage: render_dashboard.py DATA.json OUT.png   (prints {"png": OUT.png})
"""
import json
import sys

try:
    import matplotlib
except ImportError:
    sys.exit("matplotlib is missing. Install: apt-get install -y python3-matplotlib")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(data_path, png_path):
    with open(data_path, encoding="utf-8") as f:
        data = json.load(f)
    rows = (len(data["panels"]) + 2) // 3
    fig, axes = plt.subplots(rows, 3, figsize=(16, 3.6 * rows), dpi=100, squeeze=False)
    for ax in axes.flat[len(data["panels"]):]:
        ax.set_visible(False)
    for ax, panel in zip(axes.flat, data["panels"]):
        for series in panel["series"]:
            points = [p for p in series["points"] if p[1] == p[1]]  # drop NaN
            ax.plot([p[0] for p in points], [p[1] for p in points], label=series["label"], linewidth=1.5)
        ax.axvline(data["marker"], color="grey", linestyle="--", linewidth=1)
        ax.set_title(panel["title"], fontsize=10)
        ax.set_ylabel(panel["unit"], fontsize=8)
        ax.set_xlabel("seconds since the load started", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    fig.suptitle(data["title"], fontsize=11)
    fig.tight_layout()
    fig.savefig(png_path)
    print(json.dumps({"png": png_path}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
