//! Dates: `date` fields, as GOV.UK asks for a memorable date: three numeric boxes, day, month
//! and year, in the order the page's language writes a date (its file's `date_order`), each
//! with its own label and a numeric keyboard, `bday-*` autocomplete for a date of birth. One
//! tab stop per part and the page's own language, where a native date input would show the
//! browser's format and cost four tab stops.
//!
//! The answer is the ISO `YYYY-MM-DD` the signer checks, composed from the parts as they are
//! typed: a date that is not whole yet stays a text the shared validation refuses, so it is
//! judged, like any field, only when focus leaves the three boxes (or on submit).

use leptos::ev::FocusEvent;
use leptos::html;
use leptos::prelude::*;
use serde_json::Value;
use stopover_protocol::Field;
use wasm_bindgen::JsCast;

use super::{invalid, GroupField};
use crate::field_ids::date_part_id;
use crate::form_state::FormState;
use crate::i18n::{date_part_order, parse_iso_date, DatePart, Msg};

/// The three boxes of a date, in the language's order, inside the field's fieldset.
#[component]
pub fn DateField(
    /// The field (kind `date`).
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    let answer = match state.value_untracked(&id) {
        Some(Value::String(answer)) => answer,
        _ => String::new(),
    };
    let [year, month, day] = parts_of(&answer).map(RwSignal::new);
    let signal = move |part: DatePart| match part {
        DatePart::Day => day,
        DatePart::Month => month,
        DatePart::Year => year,
    };
    let birthday = field.autocomplete.as_deref() == Some("bday");
    let boxes = NodeRef::<html::Div>::new();

    let parts = date_part_order(state.lang)
        .into_iter()
        .map(|part| {
            let input_id = date_part_id(&id, part);
            let answer_id = id.clone();
            let (label, width, autocomplete) = match part {
                DatePart::Day => (Msg::DateDay, "input-width-2", "bday-day"),
                DatePart::Month => (Msg::DateMonth, "input-width-2", "bday-month"),
                DatePart::Year => (Msg::DateYear, "input-width-4", "bday-year"),
            };
            view! {
                <div class="date-part">
                    <label class="date-part-label" for=input_id.clone()>{label.text(state.lang)}</label>
                    <input
                        class=format!("input {width}")
                        type="text"
                        inputmode="numeric"
                        id=input_id
                        name=format!("{}-{}", id, part.name())
                        autocomplete=birthday.then_some(autocomplete)
                        aria-invalid=invalid(&id, state)
                        prop:value=move || signal(part).get()
                        on:input=move |event| {
                            signal(part).set(event_target_value(&event));
                            let answer = answer_of(&year.get_untracked(), &month.get_untracked(), &day.get_untracked());
                            state.set(&answer_id, Value::String(answer));
                        }
                    />
                </div>
            }
        })
        .collect_view();

    // Judged once focus leaves all three boxes, never while it moves between them.
    let leave_id = id.clone();
    let on_focusout = move |event: FocusEvent| {
        let still_inside = match (boxes.get_untracked(), event.related_target()) {
            (Some(boxes), Some(next)) => boxes.contains(next.dyn_ref::<web_sys::Node>()),
            _ => false,
        };
        if !still_inside {
            state.leave(&leave_id);
        }
    };
    view! {
        <GroupField field=field.clone()>
            <div class="date-parts" node_ref=boxes on:focusout=on_focusout>{parts}</div>
        </GroupField>
    }
}

/// The answer for the parts as typed: `YYYY-MM-DD` once they make one (a four-digit year,
/// a month and a day of one or two digits), nothing when all are empty, else the parts as
/// typed, `year-month-day`, which is no date and is refused as such.
pub fn answer_of(year: &str, month: &str, day: &str) -> String {
    let (year, month, day) = (year.trim(), month.trim(), day.trim());
    let digits = |part: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    if year.is_empty() && month.is_empty() && day.is_empty() {
        String::new()
    } else if digits(year, 4..=4) && digits(month, 1..=2) && digits(day, 1..=2) {
        format!("{year}-{month:0>2}-{day:0>2}")
    } else {
        format!("{year}-{month}-{day}")
    }
}

/// The parts (year, month, day) to show for an answer: a whole date without its leading
/// zeros, else the parts as they were typed.
pub fn parts_of(answer: &str) -> [String; 3] {
    if let Some((year, month, day)) = parse_iso_date(answer) {
        return [year.to_string(), month.to_string(), day.to_string()];
    }
    let mut parts = answer.splitn(3, '-').map(str::to_owned);
    [(); 3].map(|()| parts.next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_dates_are_written_as_iso_dates() {
        assert_eq!(answer_of("1990", "3", "7"), "1990-03-07");
        assert_eq!(answer_of(" 1990", "12", "10 "), "1990-12-10");
        assert_eq!(answer_of("", "", ""), "");
    }

    #[test]
    fn parts_that_make_no_date_yet_stay_as_typed_and_are_no_date() {
        for (parts, answer) in [
            (("199", "3", "7"), "199-3-7"),
            (("1990", "", "7"), "1990--7"),
            (("1990", "3x", "7"), "1990-3x-7"),
            (("01990", "3", "7"), "01990-3-7"),
            (("1990", "003", "7"), "1990-003-7"),
        ] {
            let typed = answer_of(parts.0, parts.1, parts.2);
            assert_eq!(typed, answer);
            assert_eq!(parse_iso_date(&typed), None, "{typed} is no date");
        }
    }

    #[test]
    fn an_answer_shows_again_as_its_parts() {
        assert_eq!(parts_of("1990-03-07"), ["1990", "3", "7"]);
        assert_eq!(parts_of("199-3-"), ["199", "3", ""]);
        assert_eq!(parts_of(""), ["", "", ""]);
        for (year, month, day) in [("1990", "3", "7"), ("19", "", "31"), ("", "1", "")] {
            let [y, m, d] = parts_of(&answer_of(year, month, day));
            assert_eq!(
                answer_of(&y, &m, &d),
                answer_of(year, month, day),
                "an answer survives a reload"
            );
        }
    }
}
