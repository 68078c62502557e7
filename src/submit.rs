//! Sending the answers: where the form is between typing and leaving for `/continue`, and
//! the phase each answer of the signer leads to.

use leptos::prelude::*;
use leptos::task::spawn_local;
use stopover_protocol::{ContinueRequest, ContinueResponse};

use crate::api::{self, ApiError};
use crate::config::PageConfig;
use crate::continue_form::is_safe_action;
use crate::form_state::FormState;
use crate::launch::Launch;
use crate::retry::Failure;

/// Where the form is between typing and leaving for `/continue`.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The person is filling in the form (again, after problems were found).
    Editing,
    /// The answers are on their way to the signer.
    Sending,
    /// The signer could not be asked, or said no for a reason other than the answers.
    Failed(Failure),
    /// The signer minted a continue token: post it to `/continue`.
    Done(ContinueResponse),
}

/// One form's submission: its phase, and what a submit sends. Cheap to copy: it only holds
/// handles.
#[derive(Debug, Clone, Copy)]
pub struct Submission {
    phase: RwSignal<Phase>,
    form: FormState,
    request: StoredValue<(Launch, PageConfig)>,
}

impl Submission {
    /// A submission of `form`'s answers for the login `launch`, to the signer of `config`.
    pub fn new(form: FormState, launch: Launch, config: PageConfig) -> Self {
        Self {
            phase: RwSignal::new(Phase::Editing),
            form,
            request: StoredValue::new((launch, config)),
        }
    }

    /// The current phase (tracked).
    pub fn phase(&self) -> Phase {
        self.phase.get()
    }

    /// True while the answers are on their way (tracked).
    pub fn is_sending(&self) -> bool {
        self.phase.with(|phase| *phase == Phase::Sending)
    }

    /// True once the signer refused the token (401) (tracked).
    pub fn token_refused(&self) -> bool {
        self.phase.with(|phase| {
            matches!(
                phase,
                Phase::Failed(Failure {
                    error: ApiError::InvalidToken,
                    ..
                })
            )
        })
    }

    /// Checks every answer, showing what is wrong; when all is well, sends them and moves to
    /// the phase the signer's answer leads to. Does nothing while sending or once done.
    pub fn send(&self) {
        if self
            .phase
            .with_untracked(|phase| matches!(phase, Phase::Sending | Phase::Done(_)))
        {
            return;
        }
        if !self.form.check_all() {
            self.phase.set(Phase::Editing);
            return;
        }
        self.phase.set(Phase::Sending);
        let (launch, config) = self.request.get_value();
        let request = ContinueRequest {
            state: launch.state.as_str().to_owned(),
            session_token: launch.session_token.as_str().to_owned(),
            answers: self.form.answers_to_send(),
        };
        let (phase, form) = (self.phase, self.form);
        spawn_local(async move {
            let outcome = api::post_continue(&config, &request).await;
            phase.set(phase_after(outcome, form));
        });
    }
}

/// The phase the signer's answer leads to; refused answers are shown on their fields.
fn phase_after(outcome: Result<ContinueResponse, ApiError>, form: FormState) -> Phase {
    match outcome {
        Ok(response) if is_safe_action(&response.continue_url) => Phase::Done(response),
        // A continue URL the page must not post to is no answer it can use.
        Ok(_) => Phase::Failed(Failure::now(ApiError::Unexpected(200))),
        Err(ApiError::InvalidAnswers(fields)) => {
            form.show_server_errors(fields);
            Phase::Editing
        }
        Err(error) => Phase::Failed(Failure::now(error)),
    }
}
