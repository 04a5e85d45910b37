/* Clientside callbacks: work that needs no server, run in the browser. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  vigie: {
    /* The wall says it has lost the server instead of freezing on old numbers.
       Each answer from the server refreshes `wall-contact`; when none has come
       for a few refreshes the banner shows, and hides again at the next answer. */
    watchdog: function (_n, contact, current) {
      const ctx = window.dash_clientside.callback_context;
      const now = Date.now();
      const answered = ctx.triggered.some((t) => t.prop_id === "wall-contact.data");
      if (answered || window.vigieLastContact === undefined) {
        window.vigieLastContact = now;
        window.vigieLastInstant = (contact && contact.at) || "";
      }
      const refresh = (contact && contact.refresh_ms) || 1000;
      const lost = now - window.vigieLastContact > Math.max(3 * refresh, 4000);
      if (!lost) {
        return ["vigie-disconnected is-hidden", ""];
      }
      /* The exercise clock of the last answer, as the server wrote it: never the
         browser's own time zone, which may not be the exercise's. */
      return ["vigie-disconnected", window.vigieLastInstant];
    },
  },
});
