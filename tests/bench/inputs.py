"""The benchmark's big inputs, made from the shapes of the real recorded data (the bundled
Skyvern logs, the demo run's HAR, element tree and llm_request), written into a folder.

Every input carries MARKER in its first screenful, so a pty measurement can tell when the
artifact's own content is on screen (not the viewer's frame or a loading line)."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "assets" / "demo"
BUNDLED = ROOT / "tests" / "data" / "bundled"
MARKER = "benchmarkfirst"
LAST = "benchmarklast"
_FIELD = re.compile(rb" (?=[a-z_]+=)")  # where a key=value field starts


def _demo_file(artifact_type: str) -> Path:
    return sorted((DEMO / "files").glob(f"*_{artifact_type}.*"), key=lambda p: p.stat().st_size)[-1]


def _real_log_lines() -> list[bytes]:
    """The bundled runs' log lines, cut after the last field that ends within 200 bytes (about
    160 bytes each on average, so 1,000,000 of them make about 160 MB)."""
    lines: list[bytes] = []
    for path in sorted(BUNDLED.glob("*/storage/logs/**/*_skyvern_log.log")):
        for line in path.read_bytes().splitlines():
            if not line.strip():
                continue
            cuts = [m.start() for m in _FIELD.finditer(line, 60, 200)]
            lines.append(line[: cuts[-1]] if cuts else line[:200])
    return lines


def skyvern_log(path: Path, count: int) -> int:
    lines = _real_log_lines()
    first = lines[0].replace(b"] ", f"] {MARKER} ".encode(), 1)
    with path.open("wb") as out:
        out.write(first + b"\n")
        block = b"\n".join(lines) + b"\n"
        whole, rest = divmod(count - 2, len(lines))
        for _ in range(whole):
            out.write(block)
        out.write(b"".join(line + b"\n" for line in lines[:rest]))
        out.write(lines[1].replace(b"] ", f"] {LAST} ".encode(), 1) + b"\n")
    return path.stat().st_size


def playwright_layout(value: Any, depth: int = 0, key: str = "", item_of: str = "") -> str:
    """JSON as Playwright writes a HAR (the demo's layout, byte for byte): indented by 2, a
    header and the timings each on one line."""
    pad = "  " * depth
    if isinstance(value, dict) and value:
        flat = not any(isinstance(v, (dict, list)) for v in value.values())
        if flat and (item_of == "headers" or key == "timings"):
            return "{ " + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in value.items()) + " }"
        inner = ",\n".join(f"{pad}  {json.dumps(k)}: {playwright_layout(v, depth + 1, k)}" for k, v in value.items())
        return "{\n" + inner + "\n" + pad + "}"
    if isinstance(value, list) and value:
        inner = ",\n".join(f"{pad}  {playwright_layout(v, depth + 1, item_of=key)}" for v in value)
        return "[\n" + inner + "\n" + pad + "]"
    return json.dumps(value)


def har(path: Path, entries: int, big_body: int, compact: bool = False) -> int:
    """`entries` entries shaped as the demo's recorded ones, about 2 KB each with a small JSON body,
    and one (the 20th) carrying a base64 JSON body of `big_body` bytes. Laid out as Playwright
    writes it (as Skyvern records it), or `compact` (no whitespace, as some tools write it)."""
    template = json.loads(_demo_file("har").read_bytes())
    base = template["log"]["entries"][0]
    # A typical API call's headers, not a page load's: 20,000 of them and the body make ~50 MB.
    base["request"]["headers"] = base["request"]["headers"][:8]
    base["response"]["headers"] = base["response"]["headers"][:5]
    small_body = json.dumps([{"n": i, "sku": f"SPUR-{i:04d}"} for i in range(8)])
    made = []
    for n in range(entries):
        entry = json.loads(json.dumps(base))
        entry["request"]["url"] = f"https://{MARKER}.example/api/items/{n}?page={n % 50}"
        entry["startedDateTime"] = f"2026-11-28T16:{n // 60000 % 60:02d}:{n // 1000 % 60:02d}.{n % 1000:03d}Z"
        if n == 19:
            body = json.dumps([{"n": i, "pad": "x" * 40} for i in range(big_body // 56)]).encode()
            content = {"size": len(body), "mimeType": "application/json", "encoding": "base64",
                       "text": base64.b64encode(body).decode()}
        else:
            content = {"size": len(small_body), "mimeType": "application/json", "text": small_body}
        entry["response"]["content"] = content
        made.append(entry)
    head = {"version": "1.2", "creator": {"name": "bench", "version": "1"}}
    with path.open("w") as out:
        if compact:  # one line: the bytes the benchmark measured before it took Playwright's layout
            out.write(json.dumps({"log": head})[:-2] + ', "entries": [' + ",".join(map(json.dumps, made)) + "]}}")
        else:
            out.write(playwright_layout({"log": {**head, "entries": made}}))
    return path.stat().st_size


def element_tree(path: Path, nodes: int) -> int:
    """`nodes` elements of the demo tree's shape: 100 top-level sections, each a nested list
    of rows (depth 4), as a product listing's page is."""
    node = json.loads(_demo_file("visible_elements_tree").read_bytes())[0]
    node["children"] = []
    made = 0

    def element(tag: str, text: str) -> dict[str, Any]:
        nonlocal made
        made += 1
        unique = f"E{made:06d}"
        return {**node, "id": unique, "tagName": tag, "text": text, "attributes": {"unique_id": unique},
                "children": []}

    top: list[dict[str, Any]] = []
    per_section = max(nodes // 100, 4)
    while made < nodes:
        section = element("section", f"{MARKER} section {len(top)}")
        top.append(section)
        budget = made + per_section
        while made < min(budget, nodes):
            row = element("div", f"row {made}")
            section["children"].append(row)
            cell = element("a", f"Spur gear {made}, 20 teeth")
            row["children"].append(cell)
            cell["children"].append(element("span", f"$ {made % 97}.99"))
    path.write_text(json.dumps(top))  # compact, as Skyvern writes it
    return path.stat().st_size


def screenshot(path: Path, width: int, height: int) -> int:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 18):
        draw.text((20, y), "Skyvern screenshot line, a page of product rows " * 8, fill=(20, 20, 60))
        draw.rectangle((width - 300, y, width - 300 + (y * 7) % 280, y + 10), fill=(y % 255, 120, 200))
    # A photo-like block (noise barely compresses), so the file weighs what a real one does.
    photo = Image.frombytes("RGB", (width // 4, height // 4), os.urandom(width // 4 * (height // 4) * 3))
    image.paste(photo, (width // 2, height // 8))
    image.save(path, "PNG")
    return path.stat().st_size


def llm_request(path: Path, size: int) -> int:
    """The demo's largest llm_request, its first text part marked, with base64 screenshots
    appended until the file is about `size` bytes."""
    from PIL import Image

    request = json.loads(_demo_file("llm_request").read_bytes())
    content = request["messages"][0]["content"]
    for part in content:
        if part.get("type") == "text":
            part["text"] = f"{MARKER}\n" + part["text"]
            break
    noise = Image.frombytes("RGB", (400, 300), os.urandom(400 * 300 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    url = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    while len(json.dumps(request)) < size:
        content.append({"type": "image_url", "image_url": {"url": url}})
    path.write_text(json.dumps(request))
    return path.stat().st_size


def demo_copy(target: Path) -> Path:
    """The demo run as a downloaded-run folder: its artifact files hard-linked (no second copy
    on disk), its lists copied (they are rewritten here: a link would write into the demo)."""
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("files"))
    shutil.copytree(DEMO / "files", target / "files", copy_function=os.link)
    return target


def only(target: Path, artifact_type: str, source: Path) -> Path:
    """The demo run with only its artifacts of one type, each served by `source`: its category
    then opens on that file, whichever artifact comes first."""
    demo_copy(target)
    artifacts = json.loads((DEMO / "artifacts.json").read_text())
    (target / "artifacts.json").write_text(json.dumps([a for a in artifacts if a["artifact_type"] == artifact_type]))
    for file in list((target / "files").iterdir()):  # listed first: relinked names would come again
        file.unlink()
        if f"_{artifact_type}." in file.name:
            os.link(source, file)
    return target


def many_artifacts(target: Path, count: int) -> Path:
    """The demo run with its artifacts repeated (new ids, hard-linked files) to `count`."""
    demo_copy(target)
    artifacts = json.loads((DEMO / "artifacts.json").read_text())
    files = {p.name.split("_", 2)[1]: p for p in (target / "files").iterdir()}
    made: list[dict[str, Any]] = []
    n = 0
    while len(made) < count:
        for entry in artifacts:
            if len(made) == count:
                break
            number = entry["artifact_id"].split("_")[1]
            copy = dict(entry)
            if n:
                copy["artifact_id"] = f"a_{int(number) + 1_000_000 * n}"
                source = files.get(number)
                if source is not None:
                    suffix = source.name.split("_", 2)[2]
                    os.link(source, target / "files" / f"{copy['artifact_id']}_{suffix}")
            made.append(copy)
        n += 1
    (target / "artifacts.json").write_text(json.dumps(made))
    return target
