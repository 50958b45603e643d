"""Realistic synthetic process files for the benchmark, deterministic for a given seed.

Owns: the vocabulary (themes, roles, tools, KPIs, task names, questions), the shape of a
generated process (a start, tasks with owners, tools, durations, checklists and metrics,
decisions with yes/no and other labels, loops back with an exit, side paths, a main and an
alternative end, reviews, exceptions, changelogs and some DMAIC records), the YAML text as
a person would write it (comments, blank lines, flow lists, quoting only where needed),
and the cache in bench/.data/ reused when the parameters and this generator are unchanged.

Must not know: how procmap validates or how the benchmark measures; it only asks the
library, on a sample of what it wrote, that every file is free of errors.

Usage: python bench/generate.py [--processes N] [--steps S] [--seed K] [--force] [--check all]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DATA = BENCH / ".data"

# Vocabulary ------------------------------------------------------------------------

#: (theme, system, hourglass stages, trigger, outcome)
THEMES: list[tuple[str, str, list[str], str, str]] = [
    (
        "Lead management",
        "marketing",
        ["know", "like", "trust"],
        "A new lead fills in the contact form.",
        "The lead is handed to sales or parked in nurture.",
    ),
    (
        "Content development",
        "marketing",
        ["know", "like"],
        "An article is put on the editorial calendar.",
        "The article is published and promoted.",
    ),
    (
        "Product launch",
        "marketing",
        ["know", "try", "buy"],
        "The launch date is agreed with the product team.",
        "The product is live and announced on every channel.",
    ),
    (
        "Client onboarding",
        "operations",
        ["buy", "repeat"],
        "A proposal is signed.",
        "The client has had the kick-off call and uses the service.",
    ),
    (
        "Webinar funnel",
        "marketing",
        ["know", "like", "trust", "try"],
        "A prospect registers for the monthly webinar.",
        "The prospect booked a consultation or sits in the downsell campaign.",
    ),
    (
        "Referral program",
        "operations",
        ["repeat", "refer"],
        "A client gives a satisfaction score of 9 or 10.",
        "The referral is thanked and its lead is in the CRM.",
    ),
    (
        "Social media calendar",
        "marketing",
        ["know", "like"],
        "The monthly content plan is approved.",
        "Every post of the month is scheduled and tracked.",
    ),
    (
        "Proposal and contract",
        "operations",
        ["try", "buy"],
        "A qualified prospect asks for a quote.",
        "The contract is signed or the deal is closed as lost.",
    ),
    (
        "Paid search campaign",
        "marketing",
        ["know", "try"],
        "The quarterly ad budget is released.",
        "The campaign runs within budget and its results are reported.",
    ),
    (
        "Customer support ticket",
        "operations",
        ["repeat"],
        "A client opens a support ticket.",
        "The ticket is solved and the client confirmed it.",
    ),
    (
        "Email newsletter",
        "marketing",
        ["like", "trust"],
        "The newsletter slot of the month opens.",
        "The newsletter is sent and its clicks are recorded.",
    ),
    (
        "Quarterly business review",
        "operations",
        ["repeat", "refer"],
        "A client account reaches the end of a quarter.",
        "The review is held and the action plan is agreed.",
    ),
    (
        "Case study production",
        "marketing",
        ["trust", "try"],
        "A client agrees to be featured.",
        "The case study is approved by the client and published.",
    ),
    (
        "Trial to paid conversion",
        "marketing",
        ["try", "buy"],
        "A prospect starts a free trial.",
        "The trial ends as a paid plan or in the win-back sequence.",
    ),
    (
        "Event sponsorship",
        "marketing",
        ["know", "like"],
        "An event invites us to sponsor.",
        "The event is done and its leads are followed up.",
    ),
    (
        "Invoice and payment",
        "operations",
        ["buy", "repeat"],
        "A project milestone is delivered.",
        "The invoice is paid or handed to collections.",
    ),
    (
        "Renewal and upsell",
        "operations",
        ["repeat"],
        "A contract is ninety days from renewal.",
        "The contract is renewed, upgraded or closed with a reason.",
    ),
    (
        "Partner outreach",
        "marketing",
        ["know", "trust", "refer"],
        "A partner candidate is added to the list.",
        "The partner signed the agreement or is marked as not a fit.",
    ),
]

VARIANTS = [
    "",
    "for the Berlin office",
    "for enterprise accounts",
    "for small businesses",
    "in Spain",
    "for the spring campaign",
    "for agencies",
    "(self-service plan)",
    "for the café chain segment",
    "for Nordic markets",
    "for returning clients",
    "for the partner channel",
]

ROLES = [
    ("founder", "Founder"),
    ("marketing", "Marketing lead"),
    ("content", "Content writer"),
    ("editor", "Managing editor"),
    ("designer", "Graphic designer"),
    ("seo", "SEO lead"),
    ("ads", "Paid media specialist"),
    ("sales", "Sales rep"),
    ("success", "Client success manager"),
    ("support", "Support agent"),
    ("ops", "Operations manager"),
    ("finance", "Bookkeeper"),
    ("legal", "Legal counsel"),
    ("automation", "Marketing automation owner"),
    ("analyst", "Data and reporting analyst"),
]

TOOLS = [
    ("crm", "CRM"),
    ("email", "Email automation platform"),
    ("booking", "Online booking page"),
    ("zoom", "Zoom webinars"),
    ("cms", "Website CMS"),
    ("sheet", "Shared spreadsheet"),
    ("ads", "Ads manager"),
    ("analytics", "Web analytics"),
    ("helpdesk", "Help desk"),
    ("invoicing", "Invoicing tool"),
    ("esign", "E-signature tool"),
    ("scheduler", "Social media scheduler"),
    ("design", "Design tool"),
    ("forms", "Form builder"),
    ("chat", "Team chat"),
    ("pm", "Project board"),
    ("research", "Keyword research tool"),
]

#: (id, name, unit, baseline, target, direction)
METRICS: list[tuple[str, str, str, float, float, str]] = [
    ("conversion-rate", "Landing page conversion rate", "%", 2.4, 4.0, "up"),
    ("booking-rate", "Consultation booking rate", "%", 6, 10, "up"),
    ("sql-per-month", "Sales-qualified leads per month", "leads", 35, 60, "up"),
    ("meetings-booked", "Meetings booked per week", "meetings", 8, 14, "up"),
    ("ctr", "Email click-through rate", "%", 2.1, 3.5, "up"),
    ("trial-signups", "Free-trial sign-ups per month", "sign-ups", 120, 200, "up"),
    ("new-clients", "New clients per month", "clients", 3, 5, "up"),
    ("revenue", "Revenue from the process per month", "EUR", 18000, 25000, "up"),
    ("cycle-time", "Days from trigger to outcome", "days", 14, 7, "down"),
    ("cost-per-lead", "Cost per lead", "EUR", 42, 30, "down"),
    ("first-response", "Hours to first response", "hours", 9, 2, "down"),
    ("video-engagement", "Viewers who watch to the end", "%", 18, 30, "up"),
    ("nps", "Net promoter score", "points", 31, 45, "up"),
    ("churn", "Monthly churn", "%", 3.2, 2.0, "down"),
    ("on-time", "Deliverables on time", "%", 72, 95, "up"),
    ("rework", "Drafts sent back for rework", "%", 40, 15, "down"),
    ("days-to-pay", "Days until an invoice is paid", "days", 38, 21, "down"),
    ("referrals", "Referrals per quarter", "referrals", 4, 10, "up"),
]

TASKS = [
    "Check the lead against the ideal customer profile",
    "Enrich the contact record",
    "Score the lead",
    "Send the welcome email",
    "Research competitor content",
    "Draft the outline",
    "Write the first draft",
    "Edit for brand voice and claims",
    "Design the header image",
    "Build the landing page",
    "Set up the tracking links",
    "Schedule the social posts",
    "Brief the sales team",
    "Call the prospect",
    "Prepare the proposal",
    "Review prices and specifications",
    "Send the contract for signature",
    "Create the client workspace",
    "Hold the kick-off call",
    "Collect the client's assets",
    "Set up billing",
    "Send the invoice",
    "Chase the overdue payment",
    "Log the outcome in the CRM",
    "Update the campaign budget sheet",
    "Pull the weekly numbers",
    "Write the performance summary",
    "Tag the contact for the nurture sequence",
    "Record the webinar",
    "Cut the highlight clips",
    "Publish the article",
    "Share the article in the newsletter",
    "Answer the support ticket",
    "Escalate to the operations manager",
    "Ask for a testimonial",
    "Thank the referrer",
    "Archive the project files",
    "Plan the follow-up sequence",
    "Check the compliance wording",
    "Prüfen der Kundendaten",
    "Confirm the dates with the venue",
    "Order the printed material",
]

QUESTIONS = [
    ("Lead qualified?", ["yes", "no"]),
    ("Budget approved?", ["yes", "no"]),
    ("Client answered within two days?", ["yes", "no"]),
    ("Draft ready to publish?", ["yes", "no"]),
    ("Numbers on target?", ["yes", "no"]),
    ("Meeting booked?", ["yes", "no"]),
    ("Payment received?", ["yes", "no"]),
    ("Editor's verdict?", ["approved", "changes requested", "rejected"]),
    ("Legal review outcome?", ["approved", "changes requested", "rejected"]),
    ("Stock available?", ["in stock", "backordered"]),
    ("Which plan did the client choose?", ["monthly", "yearly", "undecided"]),
    ("Did they book?", ["yes", "no"]),
]

CHECK_ITEMS = [
    "Use the template in the shared drive",
    "Confirm budget and timeline",
    "Check every price against the current price list",
    "Spell-check names and company names",
    "Attach the tracking link",
    "Log the time spent",
    "Tell the account owner in the team chat",
    "Add the next follow-up date",
    "Check the consent flag before emailing",
    "Keep the brand colours and logo version",
    "Note any objection in the CRM",
    "Save a PDF copy in the client folder",
]

DESCRIPTIONS = [
    "Anyone on the team can do this from the checklist; ask the owner only when a case is new.",
    "Use the saved view in the CRM so that nobody is missed.",
    "This is where most delays start: do it the same day.",
    "Keep the tone friendly and short: three sentences at most.",
    "The automation does this when the tag is set; check it ran.",
]

EXCEPTIONS = [
    ("The client asks for a discount above 10%.", "Ask the founder before answering."),
    ("The contact has no consent to email.", "Call instead, and record the consent."),
    ("The deadline falls on a public holiday.", "Move it to the working day before."),
    ("The tool is down.", "Use the spreadsheet fallback and sync later."),
    ("The client is also a partner.", "Copy the partner manager on every message."),
]

CHANGES = [
    "Added the compliance check before sending.",
    "Moved the follow-up from 7 to 3 days after the call.",
    "Automated the welcome email.",
    "Split the review into editor and legal review.",
    "Removed the printed brochure step.",
    "Added a metric for the booking rate.",
]

ROOT_CAUSES = [
    "Data is copied between tools by hand.",
    "Nobody owns the follow-up after the call.",
    "Approvals wait in someone's inbox for days.",
    "The checklist is out of date.",
]

IMPROVEMENTS = [
    ("Connect the form builder to the CRM with a webhook.", "piloting"),
    ("Give the follow-up an owner and a deadline.", "proposed"),
    ("Approve drafts in the project board, not by email.", "adopted"),
    ("Review the checklist at the weekly meeting.", "proposed"),
]

DURATIONS = ["10m", "15m", "30m", "45m", "1h", "1.5h", "2h", "4h", "1d", "2d", "3d", "1w"]

# YAML text -------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-zÀ-ÿ][\w ,.'()/?!&+%-]*$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def q(text: str) -> str:
    """A YAML scalar for `text`: plain when that reads back as the same text, else quoted."""
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def key(text: str) -> str:
    """A mapping key as written: plain when safe (yes, no and all; procmap keeps them)."""
    return text if re.fullmatch(r"[a-z][a-z ]*", text) else json.dumps(text, ensure_ascii=False)


def _short_slug(text: str, words: int = 4) -> str:
    stop = {"the", "a", "an", "to", "for", "of", "in", "on", "and"}
    parts = [p for p in re.findall(r"[a-z0-9]+", text.lower()) if p not in stop]
    return "-".join(parts[:words]) or "step"


def _number(value: float) -> str:
    return f"{value:g}"


# One process -----------------------------------------------------------------------


class _Steps:
    """Steps under construction: unique ids, and `NEXT` placeholders resolved at the end."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.ids: set[str] = set()

    def new_id(self, name: str) -> str:
        base = _short_slug(name, 3)
        sid, n = base, 2
        while sid in self.ids:
            sid, n = f"{base}-{n}", n + 1
        self.ids.add(sid)
        return sid

    def add(self, **fields: object) -> dict:
        step = {"id": self.new_id(str(fields["name"])), **fields}
        self.items.append(step)
        return step


def _process(index: int, steps_wanted: int, seed: int) -> tuple[str, dict]:
    """The YAML text of process `index`, and facts the caller may want (its id)."""
    rng = random.Random(seed * 1_000_003 + index)
    theme, system, stages, trigger, outcome = THEMES[index % len(THEMES)]
    variant = rng.choice(VARIANTS)
    name = f"{theme} {variant}".strip()
    pid = f"{_short_slug(theme, 4)}-{index:04d}"
    roles = rng.sample(ROLES, rng.randint(4, 7))
    tools = rng.sample(TOOLS, rng.randint(4, 8))
    metrics = rng.sample(METRICS, rng.randint(3, 6))
    role_ids = [r for r, _ in roles]
    tool_ids = [t for t, _ in tools]
    metric_ids = [m[0] for m in metrics]
    owner = role_ids[0]

    s = _Steps()
    count = max(steps_wanted, 6)
    start = s.add(kind="start", name=rng.choice(["Trigger received", "Request comes in"]))
    start["next"] = "NEXT"
    body = count - 4  # start, closing decision and two ends are fixed
    main: list[dict] = []  # main-chain tasks, candidates for loops back
    since_decision = 0
    side_ids: set[str] = set()

    def task(side: bool = False) -> dict:
        name = rng.choice(TASKS)
        fields: dict = {"name": name, "owner": rng.choice(role_ids)}
        if rng.random() < 0.8:
            fields["tools"] = rng.sample(tool_ids, rng.choice([1, 1, 1, 2]))
        if rng.random() < 0.7:
            fields["duration"] = rng.choice(DURATIONS)
        if rng.random() < 0.2:
            fields["critical"] = True
            fields["metrics"] = rng.sample(metric_ids, rng.choice([1, 1, 2]))
        elif rng.random() < 0.08:
            fields["metrics"] = [rng.choice(metric_ids)]
        roll = rng.random()
        if roll < 0.15:
            fields["automated"] = True
        elif roll < 0.3:
            fields["automatable"] = True
        if rng.random() < 0.25:
            fields["checklist"] = rng.sample(CHECK_ITEMS, rng.randint(2, 5))
        if rng.random() < 0.15:
            fields["description"] = rng.choice(DESCRIPTIONS)
        step = s.add(**fields)
        if not side:
            main.append(step)
        return step

    while len(s.items) - 1 < body:
        room = body - (len(s.items) - 1)
        roll = rng.random()
        if since_decision < 3 or room < 2 or roll < 0.55:
            step = task()
            step["next"] = "NEXT"
            since_decision += 1
            continue
        question, labels = rng.choice(QUESTIONS)
        decision = s.add(kind="decision", name=question)
        since_decision = 0
        branches: dict[str, str] = {labels[0]: "NEXT"}
        back = rng.choice(main[-4:])["id"]  # loop back to rework; the first label exits
        if len(labels) == 3 and labels[1] == "changes requested":
            branches[labels[1]] = back
            branches[labels[2]] = "parked"
        elif len(labels) == 3:
            branches[labels[1]] = "NEXT"
            branches[labels[2]] = back
        elif roll < 0.75:
            for label in labels[1:]:
                branches[label] = back if rng.random() < 0.7 else "parked"
        else:  # a side path that rejoins the main flow
            side = task(side=True)
            side["next"] = "NEXT"
            side_ids.add(side["id"])
            branches[labels[1]] = side["id"]
        decision["branches"] = branches

    closing = s.add(kind="decision", name="Outcome confirmed with the owner?")
    closing["branches"] = {"yes": "done", "no": "parked"}
    s.items.append({"id": "done", "kind": "end", "name": outcome.rstrip(".")})
    s.items.append({"id": "parked", "kind": "end", "name": "Parked for the next review"})

    # NEXT is the next step in file order that is not a side path (side paths rejoin).
    order = s.items
    for i, step in enumerate(order):
        following = next((x["id"] for x in order[i + 1 :] if x["id"] not in side_ids), "done")
        if step.get("next") == "NEXT":
            step["next"] = following
        for label, target in (step.get("branches") or {}).items():
            if target == "NEXT":
                step["branches"][label] = following

    used_roles = {owner} | {st["owner"] for st in order if "owner" in st}
    used_tools = {t for st in order for t in st.get("tools", [])}
    used_metrics = {m for st in order for m in st.get("metrics", [])}
    if not used_metrics:
        used_metrics = {metric_ids[0]}
        main[0]["metrics"] = [metric_ids[0]]

    has_dmaic = rng.random() < 0.25
    approver = rng.choice(role_ids)
    used_roles.add(approver)

    out: list[str] = []
    w = out.append
    w(f"# {name}: how we run it, step by step.")
    w(f"# Owner: {dict(roles)[owner]}. Change it in a pull request; the approver signs off.")
    w("")
    w("procmap: 1")
    w(f"id: {pid}")
    w(f"name: {q(name)}")
    w(f"goal: {q(f'Run {theme.lower()} the same way every time, on time, with nothing missed.')}")
    w(f"owner: {owner}")
    w(f"system: {system}")
    w(f"hourglass: [{', '.join(stages)}]")
    w(f"trigger: {q(trigger)}")
    w(f"outcome: {q(outcome)}")
    if rng.random() < 0.5:
        w("scope:")
        w(f"  in: [{q('Everything from the trigger to the outcome')}]")
        w(f"  out: [{q('Pricing decisions')}, {q('Hiring')}]")
    if rng.random() < 0.4:
        w("outputs:")
        for item in rng.sample(["A signed contract", "A CRM record", "A report", "A post"], 2):
            w(f"  - {q(item)}")
    w("review:")
    cadence = rng.choice(["weekly", "monthly", "monthly", "quarterly", "45d"])
    w(f"  every: {cadence}")
    w(f"  last: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}")
    w(f"  approver: {approver}")
    w("")
    w("roles:")
    for rid, display in roles:
        if rid in used_roles:
            w(f"  {rid}: {q(display)}")
    if used_tools:
        w("tools:")
        for tid, display in tools:
            if tid in used_tools:
                w(f"  {tid}: {q(display)}")
    w("")
    w("# Two or three KPIs per goal; baseline measured before any change.")
    w("metrics:")
    for mid, mname, unit, baseline, target, direction in metrics:
        if mid not in used_metrics:
            continue
        w(f"  {mid}:")
        w(f"    name: {q(mname)}")
        w(f"    unit: {q(unit)}")
        w(f"    baseline: {_number(baseline)}")
        w(f"    target: {_number(target)}")
        if direction == "down":
            w("    direction: down")
    w("")
    w("steps:")
    for step in order:
        if rng.random() < 0.3:
            w("")
        if rng.random() < 0.06:
            w("  # Ask the owner before skipping this one.")
        w(f"  - id: {step['id']}")
        if step.get("kind", "task") != "task":
            w(f"    kind: {step['kind']}")
        w(f"    name: {q(step['name'])}")
        for field in ("description", "owner"):
            if field in step:
                w(f"    {field}: {q(step[field])}")
        if "tools" in step:
            w(f"    tools: [{', '.join(step['tools'])}]")
        if "duration" in step:
            comment = "  # measured in March" if rng.random() < 0.05 else ""
            w(f"    duration: {step['duration']}{comment}")
        for flag in ("critical", "automated", "automatable"):
            if step.get(flag):
                w(f"    {flag}: true")
        if "metrics" in step:
            w(f"    metrics: [{', '.join(step['metrics'])}]")
        if "checklist" in step:
            w("    checklist:")
            for item in step["checklist"]:
                w(f"      - {q(item)}")
        if "next" in step:
            w(f"    next: {step['next']}")
        if "branches" in step:
            w("    branches:")
            for label, target in step["branches"].items():
                w(f"      {key(label)}: {target}")
    task_ids = [st["id"] for st in order if st.get("kind", "task") == "task"]
    if rng.random() < 0.4:
        w("")
        w("exceptions:")
        for when, then in rng.sample(EXCEPTIONS, rng.randint(1, 3)):
            w(f"  - when: {q(when)}")
            w(f"    then: {q(then)}")
            if rng.random() < 0.5:
                w(f"    step: {rng.choice(task_ids)}")
    if rng.random() < 0.6:
        w("")
        w("changelog:")
        for n, change in enumerate(rng.sample(CHANGES, rng.randint(1, 4))):
            w(f"  - date: 2026-{10 - n:02d}-{rng.randint(1, 28):02d}")
            w(f"    change: {q(change)}")
            w(f"    by: {q(dict(roles)[approver])}")
    if has_dmaic:
        w("")
        w("dmaic:")
        w(f"  problem: {q('The process takes twice as long as planned and leads go cold.')}")
        w(f"  goal: {q('Halve the cycle time within 90 days.')}")
        w("  root_causes:")
        for cause in rng.sample(ROOT_CAUSES, 2):
            w(f"    - {q(cause)}")
        w("  improvements:")
        for change, status in rng.sample(IMPROVEMENTS, 2):
            w(f"    - change: {q(change)}")
            w(f"      status: {status}")
        w("  control:")
        for mid in sorted(used_metrics)[:2]:
            w(f"    - metric: {mid}")
            w(f"      every: {rng.choice(['weekly', 'monthly'])}")
            w(
                f"      reaction: {q('Raise it at the weekly review and name an owner for the fix.')}"
            )
    return "\n".join(out) + "\n", {"id": pid}


# The cache --------------------------------------------------------------------------


def _fingerprint() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def folder_for(processes: int, steps: int, seed: int) -> Path:
    return DATA / f"processes-{processes}x{steps}-seed{seed}"


def ensure(
    processes: int = 2000, steps: int = 40, seed: int = 1, force: bool = False, check: int = 24
) -> Path:
    """The folder of generated processes, written now unless a complete copy is there.

    A marker file written last records the parameters and the generator's fingerprint, so
    an interrupted or outdated generation is redone. `check` files spread over the set
    (all with check >= processes) are validated, and any error stops the benchmark.
    """
    folder = folder_for(processes, steps, seed)
    marker = folder.with_suffix(".json")
    params = {"processes": processes, "steps": steps, "seed": seed, "generator": _fingerprint()}
    if not force and marker.exists() and folder.is_dir():
        try:
            if json.loads(marker.read_text()) == params:
                return folder
        except ValueError:
            pass
    if marker.exists():
        marker.unlink()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    width = len(str(processes - 1))
    for i in range(processes):
        text, _ = _process(i, steps, seed)
        # Real repositories nest a little: one folder per hundred processes.
        sub = folder / f"group-{i // 100:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"process-{i:0{width}d}.yaml").write_text(text, encoding="utf-8")
    validate_sample(folder, check)
    marker.write_text(json.dumps(params, sort_keys=True) + "\n")
    return folder


def files_in(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.yaml"))


def validate_sample(folder: Path, count: int) -> None:
    """Validate `count` files spread evenly over `folder`; any error raises SystemExit."""
    sys.path.insert(0, str(BENCH.parent / "src"))
    from procmap.lint.linter import validate_paths

    files = files_in(folder)
    if count < len(files):
        stride = max(1, len(files) // max(1, count))
        files = files[::stride][:count]
    report = validate_paths([str(f) for f in files], jobs=1 if len(files) < 200 else None)
    errors = [p for p in report.problems if p.severity == "error"]
    if errors:
        lines = [f"{p.path}:{p.line}:{p.column}: {p.code} {p.message}" for p in errors[:20]]
        raise SystemExit("generated files do not validate:\n" + "\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2000, help="how many files (2000)")
    parser.add_argument("--steps", type=int, default=40, help="steps per process (40)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--force", action="store_true", help="regenerate even if cached")
    parser.add_argument("--check", default="24", help="how many files to validate, or 'all'")
    parser.add_argument("--print", type=int, metavar="I", help="print process I and stop")
    args = parser.parse_args(argv)
    if args.print is not None:
        sys.stdout.write(_process(args.print, args.steps, args.seed)[0])
        return 0
    check = args.processes if args.check == "all" else int(args.check)
    folder = ensure(args.processes, args.steps, args.seed, args.force, check)
    print(os.path.relpath(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
