//! The permission matrix as the catalog states it (clinic.permission_matrix, sql/0025): every
//! role x table x operation, with the columns granted one by one and the policies that apply, and
//! every role x function; narrowed by typing words ("doctor select patients", "denied") and by
//! kind (tables, functions). Never a copy kept by hand: it is read from the database each time.

use tui_input::{Input, InputRequest};

use super::{AdminScreen, Cmd, Part, Request};
use crate::app::screen::{Ctx, Outcome};
use crate::domain::permissions::{ObjectKind, PermissionRow};

#[derive(Debug, Default)]
pub struct MatrixView {
    /// Every row as read.
    pub all: Vec<PermissionRow>,
    /// The rows shown (the filter's and the kind's).
    pub part: Part<PermissionRow>,
    pub filter: Input,
    /// The filter field has the focus.
    pub filtering: bool,
    /// Functions only (true), tables and views only (false), or both (None).
    pub functions: Option<bool>,
}

impl MatrixView {
    /// The rows shown, from what was read; the same row stays selected when it still shows.
    pub fn arrange(&mut self) {
        let words = self.filter.value().to_string();
        let shown: Vec<PermissionRow> = self
            .all
            .iter()
            .filter(|r| {
                self.functions
                    .is_none_or(|f| f == (r.kind == ObjectKind::Function))
            })
            .filter(|r| r.matches(&words))
            .cloned()
            .collect();
        self.part.rows.replace(shown, |r| {
            (r.role.clone(), r.object.clone(), r.operation.clone())
        });
    }

    /// What the list is narrowed to, in words.
    pub fn narrowed_to(&self) -> String {
        let kind = match self.functions {
            None => "tables, views and functions",
            Some(true) => "functions",
            Some(false) => "tables and views",
        };
        match self.filter.value().trim() {
            "" => kind.to_string(),
            words => format!("{kind} matching \"{words}\""),
        }
    }
}

impl AdminScreen {
    pub(super) fn load_matrix(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let request = ctx.start(&mut self.matrix.part.loading, ());
        Outcome::request(Request::Permissions { request })
    }

    pub(super) fn matrix_command(&mut self, cmd: Cmd) -> Outcome<Self> {
        let view = &mut self.matrix;
        match cmd {
            Cmd::Filter => view.filtering = true,
            // Enter leaves the filter, keeping what it says.
            Cmd::FormEnter => view.filtering = false,
            Cmd::NextKind => {
                view.functions = match view.functions {
                    None => Some(false),
                    Some(false) => Some(true),
                    Some(true) => None,
                };
                view.arrange();
            }
            _ => return Outcome::default(),
        }
        Outcome::redraw()
    }

    /// Typing into the filter narrows the list at once (it is all in memory).
    pub(super) fn matrix_edit(&mut self, request: InputRequest) -> bool {
        let view = &mut self.matrix;
        if !view.filtering || view.filter.handle(request).is_none() {
            return false;
        }
        view.arrange();
        true
    }
}
