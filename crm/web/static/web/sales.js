/* The sales board: a card dragged to another column (SortableJS, vendored) moves the opportunity
   to that stage through POST /sales/<id>/move/ with the card's version; the board comes back
   re-counted from the server (htmx), with the refusal when someone moved it meanwhile. The mouse
   fallback (forceFallback) works the same with a mouse, a finger or a test's pointer. */
(function () {
  "use strict";

  function move(card, list) {
    var board = document.getElementById("board");
    var query = board ? board.getAttribute("data-query") : "";
    window.htmx.ajax("POST", card.getAttribute("data-move-url") + (query ? "?" + query : ""), {
      source: board,
      target: "#board",
      swap: "outerHTML",
      values: { stage: list.getAttribute("data-stage"), version: card.getAttribute("data-version") }
    });
  }

  function init(root) {
    if (typeof window.Sortable === "undefined" || typeof window.htmx === "undefined") return;
    root.querySelectorAll(".kanban [data-stage]").forEach(function (list) {
      if (list.getAttribute("data-sortable")) return;
      list.setAttribute("data-sortable", "1");
      window.Sortable.create(list, {
        group: "board",
        animation: 120,
        forceFallback: true,
        fallbackTolerance: 4,
        draggable: ".kanban-card[data-move-url]",
        filter: "a",
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.from !== event.to) move(event.item, event.to);
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function () { init(document); });
})();
