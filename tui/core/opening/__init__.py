"""Opening an artifact: the one path from an artifact and its run to the model a viewer shows.

`open_artifact(artifact, source, detail)` picks the opener of the artifact's viewer kind from
`OPENERS`, which reads the bytes through the source, gathers the sibling artifacts it needs,
parses, decodes and bounds the work. It blocks: call it from a worker thread.
"""

from .context import Opening
from .models import (
    ActionsModel,
    ElementsModel,
    FileModel,
    HtmlModel,
    IdMapModel,
    Opened,
    PromptModel,
    Recording,
    Screenshot,
    Shot,
)
from .openers import OPENERS, kind_name, open_artifact, open_data, read_rest_of_log

__all__ = [
    "OPENERS",
    "ActionsModel",
    "ElementsModel",
    "FileModel",
    "HtmlModel",
    "IdMapModel",
    "Opened",
    "Opening",
    "PromptModel",
    "Recording",
    "Screenshot",
    "Shot",
    "kind_name",
    "open_artifact",
    "open_data",
    "read_rest_of_log",
]
