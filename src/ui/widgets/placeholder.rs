//! The body of a screen whose workflow is still to come: its name and what it will hold.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::screen::Access;
use crate::ui::theme::Theme;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    access: Access,
    purpose: &str,
    theme: Theme,
) {
    let mut block = Block::bordered()
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), theme.title()));
    if access == Access::ReadOnly {
        block = block.title(Line::from(" read only ").right_aligned());
    }
    let body = Paragraph::new(vec![Line::raw(""), Line::raw(purpose.to_string())])
        .wrap(Wrap { trim: false })
        .block(block);
    frame.render_widget(body, area);
}
