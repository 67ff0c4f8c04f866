"""The picture of `make bench`: one panel per method, time on x (seconds from the start of the
upgrade), the answer time of every /health/ probe and API read on y, the time /health/ was not
200 shaded red, and the upgrade's phases as labelled bands above. SVG, stdlib only.

  timeline.svg(results, samples) -> str   (samples: {method: [probe.py lines as dicts]})
"""

from xml.sax.saxutils import escape

WIDTH, LEFT, RIGHT = 1100, 70, 20
PANEL, BAND, GAP = 170, 26, 46
CAP = 10.0  # answers slower than this are drawn at the top of the panel
COLORS = ["#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd"]


def _outages(health):
    """(start, end) of each stretch of /health/ probes that did not answer 200."""
    spans, start = [], None
    for sample, following in zip(health, health[1:] + [None]):
        if sample["status"] != 200 and start is None:
            start = sample["t"]
        if sample["status"] == 200 and start is not None:
            spans.append((start, sample["t"]))
            start = None
        if following is None and start is not None:
            spans.append((start, sample["t"] + sample["took"]))
    return spans


def svg(results, samples):
    methods = [m for m in ("role", "role-reload", "role-pipelining", "naive") if m in results]
    span = max(results[m]["timeline"]["ended"] - results[m]["timeline"]["started"] for m in methods) + 20
    scale = (WIDTH - LEFT - RIGHT) / span
    height = 40 + len(methods) * (BAND + PANEL + GAP)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{LEFT}" y="20" font-size="14">Nautobot {escape(results["from"])} to {escape(results["to"])}: '
           f'answer time of /health/ (dots) and API reads (crosses); red: /health/ not 200; measured {escape(results["measured_at"])}, '
           f'{results["machine"]["cpus"]} CPUs</text>']
    for index, method in enumerate(methods):
        top = 40 + index * (BAND + PANEL + GAP)
        origin = results[method]["timeline"]["started"] - 10

        def x(t):
            return LEFT + (t - origin) * scale

        def y(took):
            return top + BAND + PANEL - min(took, CAP) / CAP * PANEL

        out.append(f'<text x="{LEFT}" y="{top - 6}" font-size="13" font-weight="bold">{escape(method)}: '
                   f'{results[method]["wall_s"]} s, /health/ not 200 for {results[method]["health_down_s"]} s, '
                   f'{results[method]["api_failed"]} failed API reads</text>')
        for number, (phase, start, end) in enumerate(results[method]["timeline"]["phases"]):
            width = max((end - start) * scale, 1)
            out.append(f'<rect x="{x(start):.1f}" y="{top}" width="{width:.1f}" height="{BAND - 4}" fill="{COLORS[number % len(COLORS)]}" '
                       f'stroke="#666" stroke-width="0.5"><title>{escape(phase)}: {end - start:.1f} s</title></rect>')
            if width > 7 * len(phase):
                out.append(f'<text x="{x(start) + 3:.1f}" y="{top + 15}">{escape(phase)}</text>')
        health = sorted((s for s in samples[method] if s["client"] == "health"), key=lambda s: s["t"])
        for start, end in _outages(health):
            out.append(f'<rect x="{x(start):.1f}" y="{top + BAND}" width="{max((end - start) * scale, 1):.1f}" height="{PANEL}" '
                       f'fill="#e41a1c" fill-opacity="0.25"/>')
        out.append(f'<rect x="{LEFT}" y="{top + BAND}" width="{WIDTH - LEFT - RIGHT}" height="{PANEL}" fill="none" stroke="#999"/>')
        for seconds in (0, 2, 5, 10):
            out.append(f'<text x="{LEFT - 6}" y="{y(seconds) + 4:.1f}" text-anchor="end">{seconds} s</text>')
        step = 10 if span < 200 else 30
        for tick in range(0, int(span), step):
            out.append(f'<text x="{x(origin + tick):.1f}" y="{top + BAND + PANEL + 14}" text-anchor="middle">{tick}</text>')
        for sample in samples[method]:
            if not origin <= sample["t"] <= origin + span:
                continue
            px, py, ok = x(sample["t"]), y(sample["took"]), sample["status"] == 200
            color = "#1b7837" if ok else "#e41a1c"
            if sample["client"] == "health":
                out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="1.6" fill="{color}"/>')
            else:
                out.append(f'<path d="M{px - 2:.1f},{py - 2:.1f}l4,4m0,-4l-4,4" stroke="{"#2166ac" if ok else color}" stroke-width="1"/>')
    out.append(f'<text x="{WIDTH - RIGHT}" y="{height - 8}" text-anchor="end">seconds from 10 s before the upgrade started</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
