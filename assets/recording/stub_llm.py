"""A stub OpenAI-compatible LLM server for recording the skyvern-tui demo run.

It answers Skyvern's prompts with canned, deterministic answers. For the
"extract actions" prompt it reads the element tree that Skyvern put into the
prompt and answers with actions on the REAL element ids found there (matched
by tag, attributes and text), so Skyvern really types, selects and clicks.

The script of the run (one answer per prompt for the page the agent is on):

  sign-in page   -> INPUT_TEXT username, INPUT_TEXT password, CLICK "Sign in"
  search page    -> 1st time: CLICK the "Check out" button, which is
                    disabled (the action fails, the step fails and
                    Skyvern retries it)
                    2nd time: SELECT_OPTION "Gears", CLICK "Show parts"
                    3rd time: CLICK the "Order" link of "Spur gear 24T"
  order page     -> COMPLETE
  anything else  -> small JSON answers (goal checks, summaries, ...)

POST /reset forgets the pages seen, so the next run follows the script from
the start again (record_demo.py calls it before each run). Its JSON body may
name the script of the next run: {"script": "order"} (the default, above) or
{"script": "terminate"}: sign in, then TERMINATE on the search page (the part
asked for is not sold there), for a terminated run; {"script": "fail"}: click the disabled
"Check out" until the step fails for good; {"script": "v3"}: see below.

For record_shapes.py it also answers: extractions (the page's heading and first paragraph, or the
help page's sign-in rule), block and extraction summaries, the task v2 observer's prompts (metadata,
title, plan one extract task, check completion: not yet, then yes; summary), vanish.html (click the
button that goes away; TERMINATE once it is gone), downloads.html (click the download link, then
COMPLETE), and with {"script": "v3"} the task v3 engine's tool calls (observe; type, type, click Sign
in; finish) and its goal check. With --log-dir, the tools a tool-calling request offers are kept too.

Stdlib only. Usage: python stub_llm.py --port 8766 [--log-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODEL = "stub-gpt"
CREATED = 1767225600  # fixed, so responses do not depend on the clock

TAG_RE = re.compile(r"<([a-zA-Z][\w-]*)\b([^<>]*?)/?>([^<]*)")
ID_RE = re.compile(r'\bid="([A-Za-z0-9]{4})"')


class Elements:
    """The elements of the prompt's element tree: (tag, attrs, text, id)."""

    def __init__(self, prompt: str) -> None:
        self.items: list[tuple[str, str, str, str]] = []
        for m in TAG_RE.finditer(prompt):
            tag, attrs, text = m.group(1).lower(), m.group(2), m.group(3).strip()
            idm = ID_RE.search(attrs)
            if idm:
                self.items.append((tag, attrs, text, idm.group(1)))

    def find(self, tag: str | None = None, attr: str | None = None, text: str | None = None) -> str | None:
        for t, attrs, txt, eid in self.items:
            if tag and t != tag:
                continue
            if attr and attr not in attrs:
                continue
            if text and text not in txt:
                continue
            return eid
        return None


class Script:
    """Per-server state: how many times each page was asked about."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: dict[str, int] = {}
        self.calls = 0
        self.script = "order"

    def reset(self, script: str = "order") -> None:
        """Forget the pages seen (POST /reset): each recorded run starts the script over."""
        with self.lock:
            self.seen.clear()
            self.script = script

    def bump(self, key: str) -> int:
        with self.lock:
            self.seen[key] = self.seen.get(key, 0) + 1
            return self.seen[key]


SCRIPT = Script()


def request_text(body: dict) -> str:
    parts: list[str] = []
    for msg in body.get("messages", []):
        content = msg.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            for c in content:
                if isinstance(c, dict) and c.get("type") == "text":
                    parts.append(c.get("text", ""))
    return "\n".join(parts)


def action(reasoning: str, action_type: str, eid: str | None = None, **extra) -> dict:
    a = {"reasoning": reasoning, "confidence_float": 0.95, "action_type": action_type}
    if eid is not None:
        a["id"] = eid
    a.update(extra)
    return a


def extract_actions(prompt: str) -> dict:
    # Only look at the element tree part of the prompt when we can find it.
    els = Elements(prompt)
    username = els.find("input", 'placeholder="Username"') or els.find("input", 'name="user"')
    password = els.find("input", 'type="password"')
    signin = els.find("button", text="Sign in")
    category = els.find("select")
    order_spur = None
    # the "Order" link in the row of "Spur gear 24T"
    idx = prompt.find(">Spur gear 24T<")
    if idx >= 0:
        order_spur = Elements(prompt[idx:]).find("a", text="Order")
    if username and password and signin:
        SCRIPT.bump("login")
        return {
            "user_goal_stage": "On the sign-in page; signing in first.",
            "user_goal_achieved": False,
            "action_plan": "Type the username and the password, then press Sign in.",
            "actions": [
                action("The username field is empty; type the demo user.", "INPUT_TEXT", username, text="demo"),
                action("The password field is empty; type the demo password.", "INPUT_TEXT", password, text="hunter2"),
                action("Both fields are filled; submit the form.", "CLICK", signin),
            ],
        }
    if category and "Find a part" in prompt and SCRIPT.script == "terminate":
        SCRIPT.bump("search")
        return {
            "user_goal_stage": "Signed in, on the part search page.",
            "user_goal_achieved": False,
            "action_plan": "The catalog has no planetary gearbox; stop.",
            "actions": [
                action(
                    "The categories of the catalog are bolts, gears and springs: no planetary gearbox is sold here, "
                    "so the part asked for cannot be ordered.",
                    "TERMINATE",
                ),
            ],
        }
    if category and "Find a part" in prompt and SCRIPT.script == "fail":
        # Script "fail": insist on the disabled "Check out" until Skyvern gives up on the step.
        n = SCRIPT.bump("search")
        checkout = els.find("button", text="Check out")
        return {
            "user_goal_stage": "Signed in, on the part search page.",
            "user_goal_achieved": False,
            "action_plan": "Go straight to the check out." if n == 1 else "Try the check out again.",
            "actions": [action("Check out to place the order.", "CLICK", checkout or "ZZZZ")],
        }
    if category and "Find a part" in prompt:
        n = SCRIPT.bump("search")
        if n == 1:
            # The "Check out" button is disabled: clicking it fails.
            checkout = els.find("button", text="Check out")
            return {
                "user_goal_stage": "Signed in, on the part search page.",
                "user_goal_achieved": False,
                "action_plan": "Go straight to the check out.",
                "actions": [
                    action("Check out to place the order.", "CLICK", checkout or "ZZZZ"),
                ],
            }
        if n == 2:
            show = els.find("button", text="Show parts")
            return {
                "user_goal_stage": "On the part search page; Check out is disabled until a part is chosen.",
                "user_goal_achieved": False,
                "action_plan": "Choose the Gears category and show the matching parts.",
                "actions": [
                    action(
                        "Filter the table to gears.",
                        "SELECT_OPTION",
                        category,
                        option={"label": "Gears", "value": "gears"},
                    ),
                    action("Apply the category filter.", "CLICK", show),
                ],
            }
        return {
            "user_goal_stage": "The table lists gears.",
            "user_goal_achieved": False,
            "action_plan": "Order the Spur gear 24T.",
            "actions": [
                action("Spur gear 24T is the part asked for; click its Order link.", "CLICK", order_spur),
            ],
        }
    if "<h2>Downloads</h2>" in prompt:
        # downloads.html: click the link once (the file downloads, the page stays), then COMPLETE.
        if SCRIPT.bump("downloads") == 1:
            return {
                "user_goal_stage": "On the downloads page.",
                "user_goal_achieved": False,
                "action_plan": "Download the price list.",
                "actions": [action("The link downloads the price list.", "CLICK",
                                   els.find("a", text="Download the price list") or "ZZZZ")],
            }
        return {
            "user_goal_stage": "The price list has been downloaded.",
            "user_goal_achieved": True,
            "action_plan": "Done.",
            "actions": [action("The price list was downloaded by the click before.", "COMPLETE")],
        }
    if "<h2>Special offer</h2>" in prompt:
        # vanish.html: the button removes itself when the pointer reaches it (and comes back later).
        SCRIPT.bump("offer")
        claim = els.find("button", text="Claim the offer")
        if claim is None:
            return {
                "user_goal_stage": "On the special offer page; the offer button is gone.",
                "user_goal_achieved": False,
                "action_plan": "The offer cannot be claimed; stop.",
                "actions": [action("The offer button has gone from the page, so the offer cannot be claimed.",
                                   "TERMINATE")],
            }
        return {
            "user_goal_stage": "On the special offer page.",
            "user_goal_achieved": False,
            "action_plan": "Claim the offer.",
            "actions": [action("Click the offer button.", "CLICK", claim)],
        }
    if "<h2>Order placed</h2>" in prompt:
        SCRIPT.bump("done")
        return {
            "user_goal_stage": "The order confirmation is shown.",
            "user_goal_achieved": True,
            "action_plan": "The order is placed; the goal is achieved.",
            "actions": [
                action("The page says the order ORD-1042 has been placed.", "COMPLETE"),
            ],
        }
    return {
        "user_goal_stage": "Unknown page.",
        "user_goal_achieved": False,
        "action_plan": "Nothing to do here; stop.",
        "actions": [action("The page is not part of the demo site.", "TERMINATE")],
    }


H2_RE = re.compile(r"<h2[^>]*>([^<]+)</h2>")


def page_heading(prompt: str) -> str | None:
    m = H2_RE.search(prompt)
    return m.group(1).strip() if m else None


def task_v2_answer(prompt: str) -> tuple[str, dict] | None:
    """The observer's (task v2) prompts: plan one extraction, then declare the goal achieved."""
    if "what is the url to type into the browser" in prompt:
        m = re.search(r"Starting url provided by user:\s*```\s*(\S+)", prompt)
        return "task-v2-metadata", {
            "thoughts": "The user gave the help page of the Acme Parts demo site.",
            "url": m.group(1) if m else "about:blank",
            "title": "Read Acme Parts help",
        }
    if "Plan the next task the user needs to do towards the goal" in prompt:
        n = SCRIPT.bump("planner")
        done = n > 1
        return "task-v2-plan", {
            "page_info": "The help page of Acme Parts says any username and password work.",
            "extraction_thought": "The goal asks for the sign-in rule; it has been extracted." if done
            else "The goal asks for the sign-in rule on the page; it has not been extracted yet.",
            "require_extraction": True,
            "task_history_information": "An extract task captured the sign-in rule." if done else "Nothing yet.",
            "information_extracted": done,
            "thoughts": "The rule is in the task history: done." if done else "Extract the sign-in rule from the help page.",
            "required_subgoals": [{"subgoal": "read the sign-in rule", "satisfied": done,
                                   "evidence": "extracted by the first task" if done else "not extracted yet"}],
            "user_goal_achieved": done,
            "should_terminate": False,
            "termination_reason": None,
            "plan": None if done else "Extract what the help page says about usernames and passwords.",
            "task_type": None if done else "extract",
            "loop_values": None,
            "is_loop_value_link": False,
        }
    if "Generate a brief, descriptive title for a browser automation workflow" in prompt:
        return "workflow-title", {"title": "Read Acme Parts help"}
    if "design the schema for the data output" in prompt:
        return "task-v2-extraction-schema", {
            "schema": {"type": "object", "properties": {"sign_in_rule": {"type": "string"}}},
        }
    if "help decide whether the user goal has been achieved" in prompt:
        # The first check comes right after the observer opened the url: nothing extracted yet.
        done = SCRIPT.bump("v2-check") > 1
        return "task-v2-check-completion", {
            "page_info": "The help page of Acme Parts.",
            "extraction_thought": "The sign-in rule has been extracted." if done else "Nothing has been extracted yet.",
            "require_extraction": True,
            "task_history_information": "An extract task captured the sign-in rule." if done else "Only the page was opened.",
            "information_extracted": done,
            "thoughts": "The extraction answers the goal." if done else "The rule still has to be extracted.",
            "required_subgoals": [{"subgoal": "read the sign-in rule", "satisfied": done,
                                   "evidence": "extracted" if done else "not extracted yet"}],
            "user_goal_achieved": done,
            "should_terminate": False,
            "termination_reason": None,
            "failure_categories": [],
        }
    if "produce the final answer to the user goal" in prompt:
        return "task-v2-summary", {
            "description": "The help page says any username and password work on the demo site.",
            "output": {"sign_in_rule": "Any username and password work on this demo site."},
        }
    return None


def answer(body: dict) -> tuple[str, dict]:
    prompt = request_text(body)
    if '{"verdict": "achieved" | "not_achieved" | "impossible"' in prompt:  # task v3's goal check
        ok = "Find a part" in prompt or "Signed in as" in prompt
        return "v3-goal-check", {"verdict": "achieved" if ok else "not_achieved",
                                 "quote": "Find a part" if ok else "", "missing": "" if ok else "not signed in yet"}
    v2 = task_v2_answer(prompt)
    if v2 is not None:
        return v2
    if "User Data Extraction Goal:" in prompt:
        # extract-information: the page's heading and first paragraph, as the schema of the loop asks.
        para = re.search(r"<p[^>]*>([^<]+)", prompt)
        if "sign_in_rule" in prompt:  # the schema asks for the help page's rule only
            rule = "Any username and password work on this demo site."
            return "extract-information", {"sign_in_rule": rule if "Any username and password work" in prompt else None}
        return "extract-information", {
            "heading": page_heading(prompt),
            "text": para.group(1).strip() if para else None,
        }
    if "Identify actions to help user progress" in prompt:
        return "extract-actions", extract_actions(prompt)
    if "You are instructed to take an INPUT or SELECT action" in prompt:
        return "input-info", {
            "thought": "The element is a plain form field of the demo site.",
            "field": "form field",
            "is_required": True,
            "is_search_bar": False,
            "is_location_input": False,
            "is_date_related": False,
            "date_format": None,
            "is_text_captcha": False,
        }
    if "You are performing a selection action" in prompt:
        m = re.search(r'<option index="(\d+)"[^>]*>Gears</option>', prompt)
        return "select-option", {
            "reasoning": "The user wants a gear, so the category Gears matches.",
            "confidence_float": 0.95,
            "value": "Gears",
            "index": int(m.group(1)) if m else 2,
        }
    if "determine if the user has completed their goal" in prompt:
        if "<h2>Downloads</h2>" in prompt:
            got = SCRIPT.seen.get("downloads", 0) >= 1
            return "goal-check", {
                "page_info": "The downloads page of Acme Parts, with the price list link.",
                "thoughts": "The price list link was clicked: the file downloaded." if got else "Nothing downloaded yet.",
                "user_goal_achieved": got,
            }
        done = "<h2>Order placed</h2>" in prompt
        return "goal-check", {
            "page_info": "The order confirmation page says the order ORD-1042 has been placed."
            if done
            else "A page of the Acme Parts demo site; no order has been placed yet.",
            "thoughts": "The page confirms the order." if done else "The order is not placed yet.",
            "user_goal_achieved": done,
        }
    if "retries failed. Summarize the main reason why the actions failed" in prompt:
        return "max-retries-reason", {
            "page_info": "The part search page of Acme Parts; the Check out button is disabled.",
            "reasoning": "The Check out button stays disabled until a part is chosen, so every click on it failed.",
            "errors": [],
            "failure_categories": [],
        }
    if "Generate a summary for the following block" in prompt:
        if "<BlockType.NAVIGATION" in prompt:  # the demo's and the bundled runs' one block
            return "block-summary", {"summary": "Will sign in to Acme Parts and order a Spur gear 24T."}
        label = re.search(r"'output_parameter': '([^']*?)(?:_output)?'", prompt)
        kind = re.search(r"<BlockType\.\w+: '([^']*)'>", prompt)
        return "block-summary", {"summary": f"Will run the {kind.group(1) if kind else 'workflow'} block "
                                            f"{label.group(1) if label else '(unnamed)'}."}
    if "summarize what data you're going to extract" in prompt:
        goal = re.search(r"Data extraction goal:\s*```\s*(.+?)\s*```", prompt, re.S)
        return "extraction-summary", {"summary": f"Will extract: {goal.group(1) if goal else 'the page data'}"}
    if "summarize" in prompt:
        return "summary", {
            "page_info": "The Acme Parts demo site.",
            "reasoning": "The run ended before the order was placed.",
            "failure_categories": ["LLM_REASONING_ERROR"],
        }
    return "other", {"result": "ok"}


REF_RE = re.compile(r"ref=(\d+)")


def v3_tool_calls(body: dict) -> tuple[str, list[dict]]:
    """Task v3 (a tool-calling agent): observe, then type both fields and click Sign in, then finish."""
    called = [tc.get("function", {}).get("name") for m in body.get("messages", []) if m.get("role") == "assistant"
              for tc in (m.get("tool_calls") or [])]
    observed = "\n".join(str(m.get("content") or "") for m in body.get("messages", []) if m.get("role") == "tool")

    def call(name: str, **arguments: object) -> dict:
        return {"id": f"call_{len(called)}_{name}_{len(arguments)}", "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)}}

    if "click" in called:
        return "v3-finish", [call("finish", status="completed",
                                  reason="Signed in as demo: the part search page is shown.")]
    refs: dict[str, str] = {}
    for line in observed.splitlines():
        m = REF_RE.search(line)
        if not m:
            continue
        low = line.lower()
        if "password" in low:
            refs.setdefault("password", m.group(0))
        elif "user" in low:
            refs.setdefault("username", m.group(0))
        elif "sign in" in low:
            refs.setdefault("sign_in", m.group(0))
    if len(refs) < 3:
        return "v3-observe", [call("observe")]
    return "v3-sign-in", [
        call("type", selector=refs["username"], text="demo"),
        call("type", selector=refs["password"], text="hunter2"),
        call("click", selector=refs["sign_in"]),
    ]


class Handler(BaseHTTPRequestHandler):
    log_dir: Path | None = None

    def log_message(self, fmt: str, *args) -> None:  # quiet
        pass

    def _send(self, code: int, obj: dict) -> None:
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "stub"}]})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, {"error": "bad json"})
            return
        if self.path.rstrip("/") == "/reset":
            script = body.get("script", "order") if isinstance(body, dict) else "order"
            if script not in ("order", "terminate", "fail", "v3"):
                self._send(400, {"error": f"unknown script {script!r}"})
                return
            SCRIPT.reset(script)
            self._send(200, {"reset": True})
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": "not found"})
            return
        tool_calls = None
        if body.get("tools") and SCRIPT.script == "v3":
            kind, tool_calls = v3_tool_calls(body)
            result: dict = {"tool_calls": tool_calls}
        else:
            kind, result = answer(body)
        with SCRIPT.lock:
            SCRIPT.calls += 1
            n = SCRIPT.calls
        content = json.dumps(result, indent=2)
        prompt = request_text(body)
        if self.log_dir is not None:
            (self.log_dir / f"{n:03d}_{kind}_prompt.txt").write_text(prompt)
            (self.log_dir / f"{n:03d}_{kind}_answer.json").write_text(content)
            if body.get("tools"):  # a tool-calling agent (task v3): keep what it offers, to learn its tools
                (self.log_dir / f"{n:03d}_{kind}_tools.json").write_text(json.dumps(body["tools"], indent=2))
        self._send(
            200,
            {
                "id": f"chatcmpl-stub-{n:04d}",
                "object": "chat.completion",
                "created": CREATED,
                "model": body.get("model") or MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content}
                        if tool_calls is None else {"role": "assistant", "content": None, "tool_calls": tool_calls},
                        "finish_reason": "stop" if tool_calls is None else "tool_calls",
                    }
                ],
                "usage": {
                    "prompt_tokens": max(1, len(prompt) // 4),
                    "completion_tokens": max(1, len(content) // 4),
                    "total_tokens": max(1, len(prompt) // 4) + max(1, len(content) // 4),
                },
            },
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--log-dir")
    args = ap.parse_args()
    if args.log_dir:
        Handler.log_dir = Path(args.log_dir)
        Handler.log_dir.mkdir(parents=True, exist_ok=True)
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"stub LLM on http://{args.host}:{args.port}/v1", file=sys.stderr, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
