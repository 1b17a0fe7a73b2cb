"""Command palette (ctrl+p) entries for the run on screen: categories and every artifact."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape as escape_markup

from ..core.catalog import CATEGORIES
from ..core.model import Artifact, RunDetail
from ..core.sources.base import Source


@runtime_checkable
class RunCommandsHost(Protocol):
    """What the run screen offers the palette (a protocol, so this module needs no screen)."""

    source: Source
    detail: RunDetail

    def action_category(self, value: str) -> None: ...

    def reveal_artifact(self, artifact: Artifact) -> None: ...

    def action_download(self) -> None: ...

    def action_save_category(self) -> None: ...


# Listed after the categories before any typing: Compare with run…, and the two saves.
DISCOVERED = 3


class RunCommands(Provider):
    """Jump to a category or straight to any artifact of the open run."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        screen = self.screen
        if not isinstance(screen, RunCommandsHost):
            return []
        commands: list[tuple[str, Callable[[], object], str]] = [
            (f"Show {c.label}", partial(screen.action_category, c.value), f"Key {i}")
            for i, c in enumerate(CATEGORIES, start=1)
        ]
        commands.append(("Compare with run…", partial(_compare_with_run, screen), "This run against another, step by step"))
        commands += [("Save category…", screen.action_save_category, "The artifacts of the category on screen, into a folder"),
                     ("Save the run…", screen.action_download, "Every artifact of the run, into a folder (key d)")]
        for group in screen.detail.groups():
            for artifact in group.artifacts:
                # The palette parses both strings as markup: data is escaped (an id a_1[/x]).
                commands.append(
                    (
                        escape_markup(f"Open {artifact.artifact_type} · {group.label}"),
                        partial(screen.reveal_artifact, artifact),
                        escape_markup(artifact.artifact_id),
                    )
                )
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands()[: len(CATEGORIES) + DISCOVERED]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def _compare_with_run(screen: RunCommandsHost) -> None:
    from .screens.run_diff import compare_with_run  # its screens only when asked for

    compare_with_run(screen, screen.source, screen.detail)  # type: ignore[arg-type]
