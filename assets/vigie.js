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

    /* Numbers never overflow their boxes: each `.vigie-fit` element one line, its
       font scaled down until its text fits its width (a 7-digit count at 3,000
       sites). Reads every width first, then writes every size: one layout, not
       one per number, each time the server's answer is drawn. */
    fitNumbers: function (root) {
      let boxes = [...root.querySelectorAll(".vigie-fit")];
      for (const e of boxes) {
        e.style.fontSize = "";
      }
      /* Widths are not exactly proportional to the size: a second look at the few still too wide. */
      for (let pass = 0; pass < 3 && boxes.length; pass += 1) {
        const sizes = boxes.map((e) => [e, e.clientWidth, e.scrollWidth]);
        const wide = sizes.filter(([, room, needed]) => room > 0 && needed > room);
        for (const [e, room, needed] of wide) {
          const size = parseFloat(getComputedStyle(e).fontSize);
          e.style.fontSize = Math.floor((size * room * 0.97) / needed) + "px";
        }
        boxes = wide.map(([e]) => e);
      }
    },
  },
});

/* Dash redraws the wall at every answer: fit its numbers once per frame drawn.
   Only the wall's screens (the wall, and the review's copy of it) are fitted, so a
   desk page's charts drawing themselves cost nothing here. */
(function () {
  const WALL = ".vigie-wall-screen";
  let pending = false;
  const fit = () => {
    pending = false;
    for (const wall of document.querySelectorAll(WALL)) {
      window.dash_clientside.vigie.fitNumbers(wall);
    }
  };
  const onWall = (change) => {
    const node = change.target.nodeType === Node.ELEMENT_NODE ? change.target : change.target.parentElement;
    return node !== null && node.closest(WALL) !== null;
  };
  /* Only children and texts are watched: the sizes written here cause no new round. */
  const observer = new MutationObserver((changes) => {
    if (!pending && changes.some(onWall)) {
      pending = true;
      window.requestAnimationFrame(fit);
    }
  });
  const watch = () => observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  if (document.body) {
    watch();
  } else {
    document.addEventListener("DOMContentLoaded", watch);
  }
  window.addEventListener("resize", () => window.requestAnimationFrame(fit));
})();
