"""What is known about an artifact, as a table (for the file viewer and any other)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ...core.model import Artifact
from ..text import human_size, human_time, safe_text


def metadata_rows(artifact: Artifact, size: int | None = None) -> list[tuple[str, str]]:
    """`size`: as measured when the artifact was opened (file_size can be stale)."""
    size = artifact.file_size if size is None else size
    kind = artifact.kind
    rows = [
        ("Type", artifact.artifact_type + ("" if kind.known else " (unknown to this version)")),
        ("Category", kind.category.label),
        ("Format", kind.format.value),
        ("Size", f"{human_size(size)} ({size:,} bytes)" if size is not None else "unknown"),
        ("Captured", human_time(artifact.captured_at)),
        ("Created", human_time(artifact.created_at)),
        ("Artifact id", artifact.artifact_id),
        ("Step", artifact.step_id or "—"),
        ("Task", artifact.task_id or "—"),
        ("Workflow run", artifact.workflow_run_id or "—"),
    ]
    if artifact.workflow_run_block_id:
        rows.append(("Block", artifact.workflow_run_block_id))
    if artifact.observer_thought_id or artifact.observer_cruise_id:
        rows.append(("Observer", " · ".join(x for x in (artifact.observer_cruise_id, artifact.observer_thought_id) if x)))
    if artifact.call_index is not None:
        rows.append(("LLM call", f"{artifact.call_index + 1} of its step"))
    if artifact.path is not None or artifact.uri:
        rows.append(("Path" if artifact.path is not None else "URI", artifact.location))
    if artifact.bundle_key:
        rows.append(("In archive as", artifact.bundle_key))  # the path or uri above is the archive's
    return rows


def metadata_table(artifact: Artifact, size: int | None = None) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in metadata_rows(artifact, size):
        table.add_row(Text(key), safe_text(value))
    return table
