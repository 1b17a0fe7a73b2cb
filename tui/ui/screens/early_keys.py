"""Keys typed in one burst with the key that opens a dialog (`y` then `l`): the ones after it
were already on their way to the screen below, and reach the app once the dialog is on top,
maybe before it has even been composed. The app hands them to the dialog (`take_key`); a
dialog not mounted yet keeps them and, once mounted (before any key typed later, which waits
in its queue), handles them in order; those after a key that closed it go to the screen below."""

from __future__ import annotations

from textual import events
from textual.screen import ModalScreen


class TakesEarlyKeys(ModalScreen[None]):
    def __init__(self) -> None:
        super().__init__()
        self._ready = False
        self._early: list[events.Key] = []

    def take_key(self, event: events.Key) -> bool:
        """A key that reached the app while this dialog is on top; True when it is taken."""
        if not self._ready:
            self._early.append(events.Key(event.key, event.character))
            return True
        return self.own_key(event)

    def own_key(self, event: events.Key) -> bool:
        """The dialog's keys that are not bindings (the app checks those on the dialog itself)."""
        return False

    def early_key(self, event: events.Key) -> None:
        """Handle a key kept before the dialog was mounted, as its bindings would."""

    def ready(self) -> None:
        """Call at the end of on_mount (the widgets mounted, the focus set)."""
        self._ready = True
        early, self._early = self._early, []
        for n, key in enumerate(early):
            if self.app.screen is not self:  # closed by a key: the rest is for the screen below
                for rest in early[n:]:
                    rest.set_sender(self.app)
                    self.app.post_message(rest)
                return
            self.early_key(key)
