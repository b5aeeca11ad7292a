"""The dashboard's style sheet: readable on a laptop, and in presenter mode from the back row."""

CSS = """
.v-application { font-size: 15px; }
.v-card__title { font-size: 18px; }
.headline-strip { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: flex-end; padding: 6px 12px;
  background: #f4f6f7; border-bottom: 2px solid #d5d8dc; }
.hl-when { font-size: 14px; color: #555; width: 100%; }
.hl-cell { min-width: 110px; }
.lever .v-card__title { font-size: 16px; padding: 6px 10px; }
.lever .v-card__text, .lever > div { padding: 4px 10px; }
.hl-label { font-size: 14px; color: #444; }
.hl-value { white-space: nowrap; font-size: 26px; font-weight: 700; line-height: 1.1; }
.hl-change { font-size: 14px; font-weight: 600; color: #555; }
.scorecard, .events { border-collapse: collapse; }
.scorecard th, .scorecard td, .events td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: right; }
.scorecard th:first-child, .events td { text-align: left; }
.glossary { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 14px; }
.glossary dt { font-weight: 700; }
.glossary dd { margin: 0; }
.v-slider__thumb-label { font-size: 12px; }
.controls { flex: 0 0 380px; width: 380px; position: sticky; top: 0; max-height: 100vh; overflow-y: auto;
  border-right: 1px solid #e0e0e0; }
.lever-when { color: #555; font-size: 14px; }
.lever-value { font-size: 15px; color: #222; }
/* Cards out of view are not laid out or painted until they come near it: every frame of a change
   or of play repainted the whole page (the levers, eight charts, the tables) */
.chart-card, .lever { content-visibility: auto; contain-intrinsic-size: auto 400px; }
/* Solara's "This website runs on Solara" badge covers chart corners */
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }
"""
PRESENTER_CSS = """
.v-application { font-size: 20px; }
.headline-strip { padding: 2px 12px; gap: 0 14px; flex-wrap: nowrap; }
.hl-when { display: none; }
.hl-cell { min-width: 0; }
.hl-label, .hl-change { font-size: 20px; white-space: nowrap; }
.hl-value { font-size: 30px; }
.chart-card .v-card__title { font-size: 22px; padding: 6px 12px; }
.chart-card .v-card__text { padding: 0 8px; }
"""
