"""procmap portfolio: every figure on small processes with answers worked out by hand.

tests/portfolio/business/ holds four processes (their comments say what each shows):
acquire (marketing, 10 runs a month worth 50, feeds deliver), deliver (operations, 2 runs
a week worth 300, calls invoice), invoice (no system, stage or runs) and social
(marketing, once a day, feeds nothing). tests/portfolio/loop/ holds a review loop.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from conftest import REPO, Golden, procmap
from procmap.config import Config, ConfigError
from procmap.config.project import from_table
from procmap.lint import validate_paths
from procmap.portfolio import (
    Settings,
    analyse,
    as_json,
    format_portfolio,
    system_map_dot,
    visits,
    work_hours,
)

HERE = Path(__file__).parent / "portfolio"
BUSINESS = HERE / "business"
MONTH_OF_DAYS = 365 / 12  # runs a month of 1/day
TWICE_A_WEEK = 2 * 52 / 12  # runs a month of 2/week


def _processes(*folders: Path) -> dict:
    result = validate_paths([str(f) for f in folders], Config(root=HERE), keep=True)
    assert result.errors == 0
    return result.processes


@pytest.fixture(scope="module")
def business():
    return analyse(_processes(BUSINESS))


def test_work_hours_count_a_day_and_a_week_of_work():
    default = Settings()
    assert work_hours("45m", default) == 0.75
    assert work_hours("2h", default) == 2
    assert work_hours("1.5d", default) == 12
    assert work_hours("1w", default) == 40
    assert work_hours(None, default) == 0
    short = Settings(hours_per_day=7.5, days_per_week=4)
    assert work_hours("1w", short) == 30
    assert work_hours("2d", short) == 15


def test_visits_split_runs_by_the_shares_and_count_every_round_of_a_loop():
    loop = next(iter(_processes(HERE / "loop").values()))
    seen = visits(loop)
    # 80% leave after each check: 1 / 0.8 rounds on average.
    assert seen["make"] == pytest.approx(1.25)
    assert seen["check"] == pytest.approx(1.25)
    assert seen["shipped"] == pytest.approx(1.0)
    acquire = _processes(BUSINESS / "acquire.yaml")[str(BUSINESS / "acquire.yaml")]
    assert visits(acquire)["call"] == pytest.approx(0.25)


def test_visits_without_shares_split_equally(tmp_path: Path):
    text = (HERE / "loop" / "review-loop.yaml").read_text(encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("    shares: {yes: 80, no: 20}\n", ""), encoding="utf-8")
    (process,) = _processes(path).values()
    assert visits(process)["make"] == pytest.approx(2.0)


def test_the_loop_counts_in_the_hours():
    portfolio = analyse(_processes(HERE / "loop"))
    (figures,) = portfolio.processes
    # (1h + 30m) x 1.25 rounds x 4 runs a month
    assert figures.hours_per_month == pytest.approx(7.5)
    assert {r.id: round(r.hours_per_month, 6) for r in portfolio.roles} == {
        "maker": 5.0,
        "checker": 2.5,
    }


def test_figures_of_each_process(business):
    got = {p.id: p for p in business.processes}
    acquire, deliver, invoice, social = (
        got[k] for k in ("acquire", "deliver", "invoice", "social")
    )
    assert acquire.runs_per_month == 10
    assert acquire.value_per_month == 500
    assert (acquire.critical_steps, acquire.handoffs) == (1, 1)
    assert (acquire.work_steps, acquire.manual_steps, acquire.effort) == (2, 2, 5)
    assert acquire.return_ == 0.5  # calls 10 -> 15 and days 4 -> 2: both half the baseline
    assert acquire.hours_per_month == pytest.approx(22.5)  # (2h + 1h x 25%) x 10
    assert deliver.runs_per_month == pytest.approx(TWICE_A_WEEK)
    assert deliver.value_per_month == pytest.approx(2600)
    assert (deliver.critical_steps, deliver.handoffs, deliver.effort) == (1, 2, 7)
    assert deliver.return_ is None
    # a day of kickoff (8h) and 30m of billing; the automated check takes no time
    assert deliver.hours_per_run == pytest.approx(8.5)
    assert deliver.hours_per_month == pytest.approx(8.5 * TWICE_A_WEEK)
    assert deliver.calls == ["invoice"]
    assert invoice.runs_per_month is None and invoice.hours_per_month is None
    assert invoice.questions == ["runs", "value", "return"]
    assert social.runs_per_month == pytest.approx(MONTH_OF_DAYS)
    assert social.hours_per_month == pytest.approx(0.5 * MONTH_OF_DAYS)
    assert social.questions == ["value", "return"]


def test_scores_and_ranks(business):
    # Each factor over the portfolio's largest; effort as 1 - share; mean of five.
    frequency = {"acquire": 10 / MONTH_OF_DAYS, "deliver": TWICE_A_WEEK / MONTH_OF_DAYS}
    expected = {
        "acquire": 100 * (frequency["acquire"] + 500 / 2600 + 1 + 1 + (1 - 5 / 7)) / 5,
        "deliver": 100 * (frequency["deliver"] + 1 + 1 + 0 + 0) / 5,
        "social": 100 * (1 + 0 + 0 + 0 + (1 - 2 / 7)) / 5,
        "invoice": 100 * (1 - 2 / 7) / 5,
    }
    assert [(p.rank, p.id, p.score) for p in business.processes] == [
        (1, "acquire", 56.1),
        (2, "deliver", 45.7),
        (3, "social", 34.3),
        (4, "invoice", 14.3),
    ]
    for p in business.processes:
        assert p.score == round(expected[p.id], 1)


def test_weights_change_the_ranking():
    weights = {"frequency": 0, "value": 0, "critical": 0, "return": 0, "effort": 1}
    portfolio = analyse(_processes(BUSINESS), Settings(weights=weights))
    # Least effort first: social and invoice tie (2), then acquire (5), deliver (7).
    assert [(p.rank, p.id, p.score) for p in portfolio.processes] == [
        (1, "invoice", 71.4),
        (1, "social", 71.4),
        (3, "acquire", 28.6),
        (4, "deliver", 0.0),
    ]


def test_workload_per_role(business):
    roles = {r.id: r for r in business.roles}
    assert [r.id for r in business.roles] == ["ops", "mkt", "acct", "sales", "boss"]
    assert roles["ops"].hours_per_month == pytest.approx(8 * TWICE_A_WEEK)
    assert roles["mkt"].hours_per_month == pytest.approx(2 * 10 + 0.5 * MONTH_OF_DAYS)
    assert roles["acct"].hours_per_month == pytest.approx(0.5 * TWICE_A_WEEK)
    assert roles["acct"].unknown_runs == ["invoice"]
    assert roles["sales"].hours_per_month == pytest.approx(2.5)
    assert roles["boss"].hours_per_month == 0
    assert roles["sales"].processes == ["acquire", "deliver"]
    assert roles["mkt"].owns == ["acquire", "social"]
    assert roles["ops"].processes == ["deliver"]  # informed in acquire, not working in it
    assert [(s.process, s.step) for s in roles["acct"].steps] == [
        ("deliver", "bill"),
        ("invoice", "send"),
    ]
    assert roles["sales"].name == "Sales rep"


def test_raci(business):
    assert [(c.role, c.process, c.letters) for c in business.raci] == [
        ("acct", "deliver", "R"),
        ("acct", "invoice", "RA"),  # the I of deliver calling invoice: acct already works there
        ("boss", "acquire", "C"),
        ("boss", "deliver", "C"),
        ("mkt", "acquire", "RA"),
        ("mkt", "social", "RA"),
        ("ops", "acquire", "I"),  # acquire feeds deliver, which ops owns
        ("ops", "deliver", "RA"),
        ("sales", "acquire", "R"),
        ("sales", "deliver", "R"),
    ]


def test_coverage_and_gaps(business):
    assert business.coverage == {
        "know": ["acquire"],
        "like": ["social"],
        "trust": [],
        "try": ["acquire"],
        "buy": ["deliver"],
        "repeat": ["deliver"],
        "refer": [],
    }
    assert [(g.kind, g.stage, g.process) for g in business.gaps] == [
        ("stage", "trust", None),
        ("stage", "refer", None),
        ("handover", None, "social"),
        ("unplaced", None, "invoice"),
    ]
    assert business.gaps[0].message == (
        "No process serves the trust stage: what earns their trust (reviews, case studies,"
        " useful content)?"
    )
    assert business.unmatched == ["social"]


def test_a_marketing_process_is_picked_up_through_others_and_subprocess_callers(tmp_path):
    # social feeds acquire (marketing), which feeds deliver (operations): picked up. A
    # subprocess's output goes back to its caller: invoice would be picked up likewise.
    for path in BUSINESS.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    social = tmp_path / "social.yaml"
    social.write_text(
        social.read_text().replace("runs: 1/day\n", "runs: 1/day\nfeeds: [acquire]\n")
    )
    portfolio = analyse(_processes(tmp_path))
    assert [g.kind for g in portfolio.gaps] == ["stage", "stage", "unplaced"]


def test_roles_with_one_id_and_two_names_and_two_ids_with_one_name(tmp_path):
    for path in BUSINESS.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    social = tmp_path / "social.yaml"
    social.write_text(social.read_text().replace("mkt: Marketer", "mkt: Marketing lead"))
    invoice = tmp_path / "invoice.yaml"
    invoice.write_text(
        invoice.read_text().replace("acct", "bookkeeper").replace("Accountant", "Sales rep")
    )
    gaps = [g.message for g in analyse(_processes(tmp_path)).gaps if g.kind == "role"]
    assert gaps == [
        "Role mkt has 2 names ('Marketer' in acquire; 'Marketing lead' in social):"
        " give it one name everywhere.",
        "Roles sales (acquire, deliver), bookkeeper (invoice) are both called 'Sales rep':"
        " if they are one role, give it one id, so that its work is added up.",
    ]


def test_a_process_outside_the_portfolio_is_a_gap():
    # acquire feeds deliver, which sits beside it (so the file is valid) but is not given.
    portfolio = analyse(_processes(BUSINESS / "acquire.yaml"))
    assert [(g.kind, g.process) for g in portfolio.gaps if g.process] == [
        ("handover", "acquire"),
        ("unknown-process", "acquire"),
    ]
    assert portfolio.gaps[-1].message == (
        "Acquire clients (acquire) feeds deliver, which is not in this portfolio:"
        " include its file, or fix the id."
    )
    assert portfolio.links == []


def test_json_has_the_keys_issue_10_lists(business):
    data = as_json(business)
    first = data["processes"][0]
    for key in (
        "id",
        "name",
        "runs_per_month",
        "score",
        "rank",
        "critical_steps",
        "handoffs",
        "hours_per_month",
    ):
        assert key in first
    assert first["id"] == "acquire" and first["hours_per_month"] == 22.5
    role = data["roles"][0]
    assert {k: role[k] for k in ("id", "name", "hours_per_month", "processes")} == {
        "id": "ops",
        "name": "Operations lead",
        "hours_per_month": 69.33,
        "processes": ["deliver"],
    }
    assert role["steps"][0]["step"] == "kickoff"
    assert {"role": "mkt", "process": "acquire", "letters": "RA"} in data["raci"]
    assert list(data["coverage"]) == ["know", "like", "trust", "try", "buy", "repeat", "refer"]
    assert data["gaps"][0]["kind"] == "stage" and data["gaps"][0]["message"]
    assert (
        data["processes"][3]["questions"][0] == "How often is it used? Add `runs:`, like 20/month."
    )
    json.dumps(data)  # plain data


def test_text_report_shows_the_question_in_place_of_a_missing_figure(business):
    text = format_portfolio(business, "text")
    ranking = text.split("Where to start\n")[1].split("Score = ")[0]
    rows = [line.split() for line in ranking.splitlines()[2:] if line.strip()]
    assert rows[0][:3] == ["1", "Acquire", "clients"]
    assert rows[3][:6] == ["4", "Send", "an", "invoice", "How", "often?"]
    assert "Return?" in rows[1]
    assert "Worth?" in rows[2]
    assert "invoice: How often is it used? Add `runs:`, like 20/month." in text
    assert "4.3 + ? (invoice: how often?)" in text
    assert format_portfolio(business, "text") == text  # the same bytes every time


def test_markdown_report_tables(business):
    md = format_portfolio(business, "markdown")
    assert md.startswith("# Portfolio of 4 processes\n")
    assert "| 1 | Acquire clients | 10 | 500 | 1 | 50% | 5 (2+1+2) | 22.5 | 56.1 |" in md
    assert "| Role | acquire | deliver | invoice | social |" in md
    assert "| ops | I | RA |  |  |" in md
    assert "| trust | marketing | none: what earns their trust" in md


def test_currency_in_the_reports():
    euros = analyse(_processes(BUSINESS), Settings(currency="€"))
    assert "| 2 | Deliver the work | 8.7 | €2,600 |" in format_portfolio(euros, "markdown")
    codes = analyse(_processes(BUSINESS), Settings(currency="USD"))
    assert "| 2,600 USD |" in format_portfolio(codes, "markdown")


def test_system_map_places_processes_by_stage_and_links_them(business):
    dot = system_map_dot(business, {"acquire": "acquire.html", "deliver": "deliver.html"})
    assert dot == system_map_dot(business, {"acquire": "acquire.html", "deliver": "deliver.html"})
    # p0 acquire, p1 deliver, p2 invoice, p3 social (by id)
    assert 'URL="acquire.html", target="_top"' in dot
    assert dot.count("URL=") == 2
    assert "{ rank=same; s_know; p0; }" in dot
    assert "{ rank=same; s_like; p3; }" in dot
    assert "{ rank=same; s_trust; gap_trust; }" in dot
    assert "{ rank=same; s_try; also_try; }" in dot
    assert "{ rank=same; s_unplaced; p2; }" in dot
    assert 'p0 -> p1 [label="feeds"' in dot
    assert 'p1 -> p2 [label="calls", style="dashed"' in dot
    assert "no operations process" in dot  # social is marked
    assert 'No process yet: what<BR ALIGN="LEFT"/>makes happy clients' in dot
    assert "URL" not in system_map_dot(business)


def test_user_text_is_escaped_in_the_map(tmp_path):
    text = (HERE / "loop" / "review-loop.yaml").read_text(encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("name: Review loop", 'name: "<b>A & B</b> \\\\N"'))
    portfolio = analyse(_processes(path))
    dot = system_map_dot(portfolio, {"review-loop": 'x" onclick="y.html'})
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in dot
    assert '"x%22%20onclick=%22y.html"' in dot


def test_no_process_at_all():
    portfolio = analyse({})
    assert portfolio.processes == [] and portfolio.roles == [] and portfolio.raci == []
    assert [g.stage for g in portfolio.gaps] == list(portfolio.coverage)
    assert "No valid process to rank." in format_portfolio(portfolio, "text")
    assert as_json(portfolio)["processes"] == []


# The configuration --------------------------------------------------------------------


def test_portfolio_settings_from_the_configuration(tmp_path):
    config = from_table(
        {
            "portfolio": {
                "weights": {"frequency": 2, "effort": 0},
                "currency": "€",
                "hours-per-day": 7.5,
                "days-per-week": 4,
            }
        },
        tmp_path,
        None,
    )
    settings = Settings.from_config(config.portfolio)
    assert dict(settings.weights) == {
        "frequency": 2.0,
        "value": 1.0,
        "critical": 1.0,
        "return": 1.0,
        "effort": 0.0,
    }
    assert (settings.currency, settings.hours_per_day, settings.days_per_week) == ("€", 7.5, 4)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"weight": {}}, "unknown key 'weight'"),
        ({"weights": {"speed": 1}}, "unknown factor 'speed'"),
        ({"weights": {"value": -1}}, "`portfolio.weights.value` must be a number from 0 to 1000"),
        ({"weights": {"value": True}}, "must be a number"),
        (
            {"weights": dict.fromkeys(("frequency", "value", "critical", "return", "effort"), 0)},
            "give at least one factor a weight",
        ),
        ({"weights": 3}, "must be a table of factor = number"),
        ({"currency": 3}, "`portfolio.currency` must be text"),
        ({"hours-per-day": 0}, "above 0 and at most 24"),
        ({"days-per-week": 8}, "above 0 and at most 7"),
    ],
)
def test_bad_portfolio_settings_are_named(tmp_path, table, message):
    with pytest.raises(ConfigError, match=None) as error:
        from_table({"portfolio": table}, tmp_path, None)
    assert message in str(error.value)


# The command --------------------------------------------------------------------------


def test_command_json(capsys):
    status, out, err = procmap(capsys, "portfolio", str(BUSINESS), "--format", "json")
    assert status == 0 and err == ""
    data = json.loads(out)
    assert [p["id"] for p in data["processes"]] == ["acquire", "deliver", "social", "invoice"]
    assert math.isclose(data["processes"][1]["runs_per_month"], 8.667)


def test_command_writes_the_map_and_the_report(capsys, tmp_path):
    out_dir = tmp_path / "out"
    status, out, err = procmap(
        capsys, "portfolio", str(BUSINESS), "-o", str(out_dir), "-f", "markdown"
    )
    assert status == 0
    assert sorted(p.name for p in out_dir.iterdir()) == ["portfolio.md", "portfolio.svg"]
    assert err == f"Wrote {out_dir / 'portfolio.svg'}\nWrote {out_dir / 'portfolio.md'}\n"
    report = (out_dir / "portfolio.md").read_text(encoding="utf-8")
    assert report.startswith("# Portfolio of 4 processes\n\n![The system map")
    assert (
        report.replace(
            "![The system map: every process placed by hourglass stage](portfolio.svg)\n\n", ""
        )
        == out
    )
    svg = (out_dir / "portfolio.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "Acquire clients" in svg
    first = (out_dir / "portfolio.svg").read_bytes()
    procmap(capsys, "portfolio", str(BUSINESS), "-o", str(out_dir))
    assert (out_dir / "portfolio.svg").read_bytes() == first


def test_command_reports_invalid_files_and_analyses_the_others(capsys, tmp_path):
    for path in BUSINESS.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    (tmp_path / "broken.yaml").write_text(
        "procmap: 1\nid: broken\nname: B\nruns: often\nsteps: []\n"
    )
    status, out, err = procmap(capsys, "portfolio", str(tmp_path), "-f", "json")
    assert status == 1
    assert "broken.yaml:4:7: S012 runs: 'often' is not a frequency" in err
    assert err.endswith("procmap: 1 file has errors; it is left out of the portfolio\n")
    assert len(json.loads(out)["processes"]) == 4


def test_command_usage_errors(capsys, tmp_path):
    status, _, err = procmap(capsys, "portfolio", str(BUSINESS), "--format", "html")
    assert status == 2 and "--format: 'html' is not one of text, markdown, json" in err
    status, _, err = procmap(capsys, "portfolio", str(tmp_path / "missing"))
    assert status == 2 and "no such file or folder" in err
    bad = tmp_path / "procmap.toml"
    bad.write_text("[portfolio]\nweights = {speed = 1}\n")
    status, _, err = procmap(capsys, "portfolio", str(BUSINESS), "--config", str(bad))
    assert status == 2 and "unknown factor 'speed'" in err


def test_command_reads_the_configured_weights(capsys, tmp_path):
    config = tmp_path / "procmap.toml"
    config.write_text(
        "[portfolio]\nweights = {frequency = 0, value = 0, critical = 0, return = 0}\n"
        'currency = "€"\n'
    )
    status, out, _ = procmap(
        capsys, "portfolio", str(BUSINESS), "--config", str(config), "-f", "json"
    )
    assert status == 0
    data = json.loads(out)
    assert [p["id"] for p in data["processes"]] == ["invoice", "social", "acquire", "deliver"]
    assert data["settings"]["currency"] == "€"
    assert data["explanation"]["score"].startswith("Score = 100 × (1×(1 − effort)) ÷ 1.")


def test_bundled_processes_give_a_portfolio(capsys):
    status, out, err = procmap(capsys, "portfolio", str(REPO / "processes"), "-f", "json")
    assert status == 0 and err == ""
    data = json.loads(out)
    assert len(data["processes"]) == 7
    assert all(data["coverage"][stage] for stage in data["coverage"])
    assert data["processes"][0]["id"] == "webinar-funnel"
    assert {g["kind"] for g in data["gaps"]} == {"role"}


# Golden files: the reports and the map's DOT of the small business, compared as text ---


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("business.md", lambda p: format_portfolio(p, "markdown")),
        ("business.txt", lambda p: format_portfolio(p, "text")),
        ("business.dot", lambda p: system_map_dot(p, {x.id: f"{x.id}.html" for x in p.processes})),
    ],
)
def test_golden_portfolio(business, name, make, golden: Golden):
    golden(f"portfolio/{name}", make(business).replace(str(BUSINESS), "BUSINESS"))
