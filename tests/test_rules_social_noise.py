"""What real social-media and chat threads put in front of the rules that is not what it looks
like: ranks read as dates ("my 4th flight"), replies read as places ("@Delta I did"), shouted
words read as place names, "right now" in a story read as urgency, and the @handles a public
reply opens with quoted into the blocker and next steps. Shapes taken from TweetSumm, STAR and
ABCD dev conversations, rewritten."""

from __future__ import annotations

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, HandoffRecord, Message


def _conv(*turns: tuple[str, str]) -> Conversation:
    return Conversation(
        messages=[Message(id=f"m{i}", role=r, text=t) for i, (r, t) in enumerate(turns, start=1)]  # type: ignore[arg-type]
    )


def _values(record: HandoffRecord, kind: str) -> list[str | None]:
    return [f.value for f in record.facts if f.kind == kind]


# -- an ordinal is a date only where it can name a day ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "@AmericanAir This is my 4th flight this week so far and every one was late",
        "the colour of the first cable is green and the 2nd cable is brown",
        "it's her 3rd marriage and no one cares",
        "an apartment with 2 bedrooms on the 2nd story",
    ],
)
def test_a_rank_is_not_a_date(text: str) -> None:
    assert _values(ho.summarize(_conv(("customer", text))), "date") == []


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("can you book it from May 14th-29th now please", "29th"),
        ("are you checking us out on the 30th?", "30th"),
        ("the 8th would be nice", "8th"),
        ("I need it delivered by the 4th", "4th"),
    ],
)
def test_a_day_of_the_month_is_still_a_date(text: str, day: str) -> None:
    assert day in _values(ho.summarize(_conv(("customer", text))), "date")


# -- a reply is a place only when it reads like one ----------------------------------------


@pytest.mark.parametrize(
    "reply",
    ["@SouthwestAir I did.", "I have a router that’s plugged in. That’s it.", "@Delta Ok talk to me 🤗"],
)
def test_a_sentence_answering_where_is_no_place(reply: str) -> None:
    record = ho.summarize(_conv(("agent", "Where are you flying from?"), ("customer", reply)))
    assert _values(record, "place") == []


def test_a_place_answer_loses_the_handle_it_opens_with() -> None:
    record = ho.summarize(
        _conv(("agent", "Which location did you visit?"), ("customer", "@TacoBellTeam Henrietta"))
    )
    assert _values(record, "place") == ["Henrietta"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("go and look in YOUR files instead of asking me", []),
        ("i want to PORT-IN my number", []),
        ("flying to JFK tomorrow", ["JFK"]),
        ("I live in London", ["London"]),
    ],
)
def test_shouted_words_are_not_places_but_codes_are(text: str, kept: list[str]) -> None:
    assert _values(ho.summarize(_conv(("customer", text))), "place") == kept


# -- "right now" is urgent only when something is asked for -------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I am in Tesco right now and the staff can't find it",
        "I'm really frustrated right now.",
        "Your rep immediately jumped to about $100.",
        "There was an emergency and she had to fly out earlier.",
        "I'm going to try it out right now!",
    ],
)
def test_right_now_in_a_story_is_not_urgent(text: str) -> None:
    assert ho.summarize(_conv(("customer", text))).urgency.level != "urgent"


@pytest.mark.parametrize(
    "text",
    [
        "I need my refund right now",
        "Can i get a new SIM immediately activated with the same number?",
        "I insist someone phone me immediately.",
        "I would like to see the apartment right away!",
        "this is urgent",
    ],
)
def test_right_now_in_a_request_is_urgent(text: str) -> None:
    urgency = ho.summarize(_conv(("customer", text))).urgency
    assert urgency.level == "urgent"
    assert urgency.evidence == ["m1"]


# -- the @handles a public reply opens with are not quoted ---------------------------------


def test_blocker_and_next_step_quote_without_the_opening_handle() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "@AskPlayStation I cannot access any of my downloaded content, please help"),
            ("agent", "@294018 Sorry to hear that. Please restart the console."),
            ("customer", "@AskPlayStation Did that, still locked out"),
        )
    )
    quoted = [record.blocker.description if record.blocker else "", *(s.text for s in record.next_steps)]
    quoted += [a.description for a in record.actions_taken]
    assert quoted and not any("@AskPlayStation" in text for text in quoted)
    assert record.blocker is not None


def test_a_handle_inside_a_sentence_stays() -> None:
    record = ho.summarize(
        _conv(("customer", "I cannot log in since @AcmeSupport reset my account, the app says error 503"))
    )
    assert record.blocker is not None and "@AcmeSupport" in record.blocker.description


# -- steps that name nothing to do --------------------------------------------------------


def _steps(agent: str, customer: str) -> list[tuple[str, str]]:
    record = ho.summarize(_conv(("agent", agent), ("customer", customer)))
    return [(a.description, a.outcome) for a in record.actions_taken]


def test_a_guide_given_by_its_link_is_named_by_the_link() -> None:
    steps = _steps("Got it. Let's try these steps: https://t.co/abc123", "Tried all that, did not help.")
    assert steps and steps[0][0].startswith("Try the linked steps https://t.co/abc123")
    assert steps[0][1] == "failed"


def test_try_again_after_a_step_is_not_a_second_step() -> None:
    steps = _steps(
        "Please power cycle your network devices and try again, steps here: https://t.co/UU",
        "I have tried this a few times and am getting no results",
    )
    assert [d.split(" (")[0] for d, _ in steps] == ["Power cycle your network devices and try again"]
    assert steps[0][1] == "failed"


def test_a_move_to_direct_messages_is_not_a_step() -> None:
    assert _steps("Please follow and DM us so we can take a look. ^RMD", "ok") == []
    assert _steps("Please check your DM's for further instructions.", "thanks") == []


@pytest.mark.parametrize("reply", ["@VerizonSupport have tried. stays stuck on orange", "already contacted"])
def test_a_bare_tried_names_no_step(reply: str) -> None:
    assert _steps("Is the light blinking?", reply) == []


def test_did_that_too_means_it_did_not_help() -> None:
    steps = _steps("Let's reset the NVRAM on your Mac.", "Did that too")
    assert steps and steps[0][1] == "failed"


# -- the words an angry public post uses, and a fix that came back ----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Leaving the gate late again. They suck #SouthwestSucks",
        "Sat on the train for 75 minutes now. Your new service is absolute rubbish.",
        "Yet again no optician for my appointment. Disgraceful.",
    ],
)
def test_an_angry_post_is_negative(text: str) -> None:
    assert ho.summarize(_conv(("customer", text))).sentiment.label == "negative"


def test_i_hate_weddings_is_no_complaint() -> None:
    record = ho.summarize(_conv(("customer", "Book the 5th to the 17th please, I hate weddings. Thanks!")))
    assert record.sentiment.label != "negative"


def test_a_service_that_came_back_leaves_no_blocker() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "@VerizonSupport the internet isn't working at all"),
            ("agent", "Are you able to reset your battery back up box?"),
            ("customer", "@VerizonSupport If I can find it.... it's working right now though"),
            ("agent", "No worries then, great to hear it is working."),
        )
    )
    assert record.blocker is None


def test_log_out_and_then_back_in_is_one_step_that_worked() -> None:
    steps = _steps("Last thing I'll have you try, can you log out and then back in, please?", "That works!")
    assert steps == [
        ("Log out and then back in (agent suggested; customer: “That works!”)", "succeeded"),
    ]


def test_a_step_never_ends_on_a_dangling_and() -> None:
    steps = _steps("Could you try refreshing the page and then check the cart?", "No luck")
    assert steps and not any(d.split(" (")[0].endswith(" and") for d, _ in steps)


def test_a_causative_have_keeps_its_verb_in_the_summary() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "My credit card keeps getting rejected when I place an order."),
            ("agent", "Last thing I'll have you try, can you log out and then back in, please?"),
        )
    )
    assert "has the customer try" not in record.summary


def test_the_summary_never_ends_on_a_goodbye() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "I forgot my username and can't log in."),
            ("agent", "I can see here that your username is aphoenix1."),
            ("customer", "Thank you so much!"),
            ("agent", "You're so welcome! Is there anything else I can help you with today?"),
            ("customer", "No that's it"),
            ("agent", "Okay, thanks for contacting us and have a wonderful day."),
        )
    )
    low = record.summary.lower()
    assert "username is aphoenix1" in low
    assert "wonderful day" not in low and "anything else" not in low and "welcome" not in low


@pytest.mark.parametrize(
    "text",
    ["It says my order is in Transit", "please send it to DM", "I'm at Gold level", "it's in Settings"],
)
def test_a_status_channel_or_tier_is_no_place(text: str) -> None:
    assert _values(ho.summarize(_conv(("customer", text))), "place") == []


def test_a_thank_you_is_no_open_request() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "My bag never arrived at Incheon."),
            ("agent", "We've traced it, it will be delivered to your hotel tonight."),
            ("customer", "I would like to thank BA customer service though who were exceptional at Incheon."),
        )
    )
    assert record.blocker is None or "thank" not in record.blocker.description.lower()


def test_no_longer_have_the_issue_solves_it() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "My screen keeps flickering"),
            ("agent", "Please restart the PC."),
            ("customer", "I turned the pc off and on again and now I no longer have the issue."),
        )
    )
    assert record.blocker is None


def test_work_done_before_a_closing_question_is_done() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "I need to book a ride from 5th and Main to University."),
            ("agent", "Your ride has been booked, is there anything else I can do for you?"),
            ("customer", "no thanks"),
        )
    )
    assert [(a.description, a.outcome) for a in record.actions_taken] == [
        ("Your ride has been booked.", "succeeded")
    ]
    assert record.summary.endswith("Agent says their ride has been booked.")


@pytest.mark.parametrize(
    ("agent", "reply", "step", "outcome"),
    [
        ("Did you restart the router?", "Yes, still down", "Restart the router", "failed"),
        ("Have you restarted the router?", "yes twice, no change", "Restarted the router", "failed"),
        ("Have you reset the modem yet?", "yes, same thing", "Reset the modem", "failed"),
        ("Have you checked your spam folder?", "yes nothing there", "Checked your spam folder", "failed"),
        (
            "Did you log out and log back in?",
            "That seemed to work, thanks",
            "Log out and log back in",
            "succeeded",
        ),
    ],
)
def test_have_you_and_did_you_ask_about_a_step(agent: str, reply: str, step: str, outcome: str) -> None:
    steps = _steps(agent, reply)
    assert [(d.split(" (")[0], o) for d, o in steps] == [(step, outcome)]


def test_did_you_receive_is_no_step() -> None:
    assert _steps("Did you receive the email?", "no") == []


@pytest.mark.parametrize(
    ("text", "earlier"),
    [
        ("This is the third time I'm contacting you about my refund.", True),
        ("THIS IS RIDICULOUS!!! third time I ask", True),
        ("already reset the router and second time the internet goes out", False),
        ("Looks like it worked after I logged out a third time.", False),
    ],
)
def test_a_third_time_is_an_earlier_contact_only_when_the_customer_says_so(text: str, earlier: bool) -> None:
    record = ho.summarize(_conv(("customer", text)))
    assert any(e.kind == "earlier_contact" for e in record.history) is earlier


def test_an_angry_line_does_not_hide_the_stated_problem() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "I ordered two parcels. One missing in store, one still not delivered."),
            ("agent", "Sorry to hear that, could you DM us the order numbers?"),
            ("customer", "Annoyed as went today and couldn't get it"),
        )
    )
    assert record.blocker is not None
    assert record.blocker.description == "One missing in store, one still not delivered."
