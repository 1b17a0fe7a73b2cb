"""Keys in the order they were typed, each going where the keys before it left the focus.

A terminal hands a fast typist's keys to the app in one read. Textual picks each key's target
(the focused widget) the moment the key arrives, before the keys ahead of it have run their
bindings: `3 enter` sent the enter to the overview the 3 was leaving. Here the app holds a key
until the one before it has gone all the way up (through its widget, its screen and the app's
bindings), by sending a marker behind it along the same path; the marker arrives last.

The same read also glues `escape` to the key after it: ESC then `4` is the two bytes `\x1b4`,
which terminals also send for alt+4, and Textual read them as `¢` (`\x1b\r` as a bare enter,
`\x1bj` as alt+j): the escape was lost. Inside tmux this happens at human speed too (tmux
passes ESC and a key typed within its escape-time on as one meta key). This app binds no
alt+<character>, so ESC followed by one character is read as escape, then that character;
alt+arrows and every other escape sequence (CSI `\x1b[`, SS3 `\x1bO`) are read as before.
"""

from __future__ import annotations

import sys
from collections import deque
from functools import partial

from collections.abc import Iterable

from textual import events
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.timer import Timer

# A key whose marker never comes back (its widget was removed on the way) holds the rest this
# long at most.
RELEASE_AFTER = 0.5  # seconds
# A key arriving while nothing has the focus waits this many turns of the screen's queue for it
# to be given (a pushed screen focuses its first widget after its own first messages).
FOCUS_WAITS = 3
# Turns of the app's queue the next key waits at most for the messages a key set off.
SETTLE_TURNS = 20


ESC = "\x1b"
INTRODUCERS = ("[", "O", ESC)  # what follows ESC when a longer sequence is coming


class EscapeThenKey(XTermParser):
    """Textual's parser, with ESC followed by one character read as escape, then the character."""

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        if alt:  # a lone ESC, then a character, with the escape delay over: the same two keys
            yield events.Key("escape", ESC)
            yield from super()._sequence_to_key_events(sequence)
            return
        if len(sequence) == 2 and sequence[0] == ESC and sequence[1] not in INTRODUCERS:
            yield events.Key("escape", ESC)
            yield from super()._sequence_to_key_events(sequence[1])
            return
        yield from super()._sequence_to_key_events(sequence)


def read_escape_then_key() -> None:
    """Make the terminal drivers read keys with EscapeThenKey. The drivers make their parser from
    their module's `XTermParser` name in their input thread, with no hook: the name is rebound,
    before the app starts (a test checks that it takes)."""
    if sys.platform == "win32":
        return  # the Windows driver reads keys its own way
    from textual.drivers import linux_driver

    linux_driver.XTermParser = EscapeThenKey  # type: ignore[misc]


class KeyHandled(Message):
    """Follows a key up the DOM: when it reaches the app, the key before it is done."""

    def __init__(self, key: events.Key) -> None:
        super().__init__()
        self.key = key


class KeysInOrder(App):
    """Mix into the App, first: delivers keys one at a time."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        read_escape_then_key()
        self._key_in_flight: events.Key | None = None
        self._flight_target: MessagePump | None = None  # where the key in flight was sent
        self._held_keys: deque[events.Key] = deque()
        self._release_timer: Timer | None = None
        self._focus_waits = 0  # turns the key at the head has waited for a screen to give the focus

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._key_in_flight is not None:
            self._held_keys.append(event)
            if self._flight_target is not None and not self._flight_target.is_attached:
                await self._next()  # its widget went with its screen: its marker will not come
            return
        await self._deliver(event)

    async def _deliver(self, key: events.Key) -> None:
        screen = self.screen
        if self.focused is None and self._focus_waits < FOCUS_WAITS:
            # A screen just pushed (a dialog, the palette's command) gives the focus once it has
            # handled its first messages: the key waits for them, and is then its focused widget's.
            self._focus_waits += 1
            self._held_keys.appendleft(key)
            self._hold(key, screen)
            screen.call_next(self.call_next, self._screen_caught_up, key)
            return
        self._focus_waits = 0
        target = self.focused or screen  # where Textual forwards it (unless a priority binding takes it)
        await super().on_event(key)
        if not key.is_forwarded:
            return  # a priority binding ran it to the end already
        self._hold(key, target)
        target.post_message(KeyHandled(key))

    def _hold(self, key: events.Key, target: MessagePump) -> None:
        """The keys after `key` wait until it is done (or RELEASE_AFTER)."""
        self._key_in_flight, self._flight_target = key, target
        self._release_timer = self.set_timer(RELEASE_AFTER, partial(self._release, key, SETTLE_TURNS))

    async def _screen_caught_up(self, key: events.Key) -> None:
        if key is self._key_in_flight:
            await self._next()

    def on_key_handled(self, message: KeyHandled) -> None:
        # The next key waits for what this one set off: the messages it made, and what its action
        # asked the app to do later (the palette runs its command so, once it has closed).
        self.call_later(self._release, message.key)

    async def _release(self, key: events.Key, turns: int = 0) -> None:
        if key is not self._key_in_flight:
            return
        if turns < SETTLE_TURNS and self._settling():
            self.call_later(self._release, key, turns + 1)
            return
        await self._next()

    def _settling(self) -> bool:
        """Messages the key set off are still on their way (the palette's enter submits, selects,
        then closes it: three hops after the key itself)."""
        screen = self.screen
        return any(node.message_queue_size for node in (self, screen, *screen.walk_children()))

    async def _next(self) -> None:
        if self._release_timer is not None:
            self._release_timer.stop()
            self._release_timer = None
        self._key_in_flight = None
        while self._key_in_flight is None and self._held_keys:
            await self._deliver(self._held_keys.popleft())
