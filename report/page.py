"""``report.html``: one self-contained file (figures, data, styles and script inlined) with a sample browser.

Each sample shows the question as shown, the raw and parsed answer, the correct one, the judge's scores and
reply, and thumbnails of the frames the model saw (``runs.what_was_seen``): the frames its provenance names (our
adapters record them), a few uniform frames when the model looked at the whole clip or did not record what it
saw (said so), none when it saw none. Thumbnails are decoded once per clip and protocol.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Iterable
from importlib.resources import files
from typing import Any

from finemotion_eval.report.runs import UNRECORDED_FRAMES, Run, what_was_seen
from finemotion_eval.report.tables import Table, cell_text

THUMB_HEIGHT = 72
MAX_THUMBS = 8


def _asset(name: str) -> str:
    return files("finemotion_eval.report").joinpath("assets", name).read_text(encoding="utf-8")


def _thumbnails(video: str, protocol: str) -> list[str]:
    """JPEG data URLs of the clip's frames under ``protocol`` (at most MAX_THUMBS, evenly chosen)."""
    from PIL import Image

    from finemotion_eval.video_io import SamplingProtocol, read_frames

    frames = read_frames(video, SamplingProtocol.parse(protocol)).frames
    if len(frames) > MAX_THUMBS:
        frames = frames[[round(i * (len(frames) - 1) / (MAX_THUMBS - 1)) for i in range(MAX_THUMBS)]]
    urls = []
    for frame in frames:
        image = Image.fromarray(frame)
        image = image.resize((max(1, round(image.width * THUMB_HEIGHT / image.height)), THUMB_HEIGHT))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=75)
        urls.append("data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"))
    return urls


def sample_records(runs: list[Run]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The samples as the browser's JSON, and the thumbnails they refer to (key -> data URLs)."""
    records, thumbs = [], {}
    for run in runs:
        for samples in run.samples.values():
            for s in samples:
                protocol, seen = what_was_seen(s.provenance)
                seen = f"the model saw {seen}" + ("; 4 uniform frames of the clip shown" if protocol == UNRECORDED_FRAMES else "")
                key = f"{s.video}|{protocol}" if protocol and s.video else ""
                if key and key not in thumbs:
                    try:
                        thumbs[key] = _thumbnails(s.video, protocol)
                    except Exception as err:  # noqa: BLE001 - a clip gone since the run costs its thumbnails only
                        thumbs[key], seen = [], f"{seen}; clip not readable now ({type(err).__name__})"
                outcome = "unscored" if s.correct is None else "correct" if s.correct else "wrong"
                record = {"run": run.label, "task": s.task, "qid": s.qid, "video": s.video_name, "category": s.category,
                          "outcome": outcome, "prompt": s.prompt, "output": s.output, "answer": s.answer,
                          "failure": s.model_failure, "thumbs": key, "seen": seen}
                if not s.is_open:
                    record["parsed"] = s.prediction
                if s.judge:
                    record["judge"] = {"model": s.judge["judge_model"], "scores": s.judge["scores"], "error": s.judge["error"],
                                       "reply": s.judge["reply"]}
                records.append(record)
    return records, thumbs


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ["model", *table.columns])
    keys = list(table.footnotes)
    body = []
    for row in table.rows:
        marks = f"<sup>{','.join(str(keys.index(k) + 1) for k in row.notes if k in keys)}</sup>" if row.notes else ""
        name = html.escape(row.label) + (" (ours)" + marks if row.ours else "")
        cells = []
        for column in table.columns:
            cell = row.cells.get(column)
            text = cell_text(cell, with_interval=False)
            if cell is not None and cell.interval is not None:
                text += f' <span class="ci">[{cell.interval.low:.1f}, {cell.interval.high:.1f}]</span>'
            cells.append(f"<td>{text}</td>")
        body.append(f'<tr class="{"ours" if row.ours else "published"}"><td>{name}</td>{"".join(cells)}</tr>')
    notes = "".join(f"<li>{html.escape(t)}</li>" for t in table.footnotes.values())
    return (f'<table class="scores" data-benchmark="{html.escape(table.benchmark)}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table><ol class="notes">{notes}</ol>')


def simple_table(header: list[str], rows: Iterable[list[Any]], css: str = "") -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _json_script(element_id: str, value: Any) -> str:
    # "</" inside a script element would end it early; JSON allows the escaped form.
    text = json.dumps(value, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def render_page(title: str, sections: list[tuple[str, str]], tables: list[Table], runs: list[Run]) -> str:
    """The whole page: score tables first, then ``sections`` (heading, HTML), then the sample browser."""
    records, thumbs = sample_records(runs)
    parts = [f"<h2>{html.escape(t.benchmark)}</h2>{_table_html(t)}" for t in tables]
    parts += [f"<h2>{html.escape(heading)}</h2>{body}" for heading, body in sections]
    browser = ('<h2 id="samples">Samples</h2><div id="controls">'
               '<label>run <select id="filter-run"><option value="">all</option></select></label>'
               '<label>task <select id="filter-task"><option value="">all</option></select></label>'
               '<label>outcome <select id="filter-outcome"><option value="">all</option><option>correct</option>'
               '<option>wrong</option><option>unscored</option></select></label>'
               '<label>category <select id="filter-category"><option value="">all</option></select></label>'
               '<span id="sample-count"></span></div><div id="samples-list"></div>'
               '<button id="show-more" hidden>show more</button>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_asset('report.css')}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{''.join(parts)}{browser}"
            f"{_json_script('samples-data', records)}{_json_script('thumbs-data', thumbs)}"
            f"<script>{_asset('report.js')}</script></body></html>\n")
