/** The console's stylesheet. */
export const STYLE = `
.tc { font: 14px/1.45 system-ui, sans-serif; color: #222; max-width: 60rem }
.tc-top { display: flex; justify-content: space-between; color: #555; margin-bottom: .6rem }
.tc-tabs button { font: inherit; margin-right: .4rem; padding: .2rem .7rem; border: 1px solid #ccc; border-radius: 4px; background: #fff; cursor: pointer }
.tc-tabs .tc-current { background: #222; color: #fff; border-color: #222 }
.tc-filter { margin-bottom: .5rem } .tc-filter input { font: inherit; width: 18rem; margin-right: .4rem }
.tc-help, .tc-message { color: #666; font-size: 12px; margin: .4rem 0; min-height: 1.2em }
.tc-message.tc-bad { color: #b00020 }
.tc-queue, .tc-feed { list-style: none; margin: 0; padding: 0 }
.tc-item { border: 1px solid #e3e3e3; border-radius: 4px; padding: .5rem .7rem; margin-bottom: .4rem }
.tc-item.tc-selected { border-color: #0b57d0; box-shadow: 0 0 0 1px #0b57d0 }
.tc-meta { color: #666; font-size: 12px } .tc-author { color: #222; font-weight: 600; margin-right: .4rem }
.tc-body { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0 }
.tc-reasons { color: #8a5a00; font-size: 12px } .tc-claim { color: #0b57d0; font-size: 12px }
.tc-actions button { font: inherit; font-size: 12px; margin-right: .4rem; cursor: pointer }
.tc-feed li { border-top: 1px solid #eee; padding: .3rem 0; font-size: 13px }
.tc-feed .tc-kind { font-weight: 600; margin-right: .4rem }
.tc-time { color: #555; margin-right: .4rem; font-size: 12px }
.tc-thread-line, .tc-history { color: #555; font-size: 12px } .tc-thread-title { font-style: italic }
.tc-link { color: #0b57d0 }
.tc-parent { margin: .25rem 0; padding: .2rem .6rem; border-left: 3px solid #ccc; color: #444; font-size: 13px; white-space: pre-wrap; overflow-wrap: anywhere }
.tc-parent-author { font-weight: 600 }
.tc-feed-bar { margin: .3rem 0; font-size: 12px; color: #555 }
.tc-feed-bar button, .tc-open { font: inherit; font-size: 12px; cursor: pointer }
.tc-feed-pause[aria-pressed="true"] { background: #fff3cd; border-color: #8a5a00 }
.tc-details { margin: .3rem 0 .3rem 1rem; padding: .4rem .6rem; border-left: 3px solid #0b57d0; background: #f7f9fc }
.tc-bad { color: #b00020 }
`;
