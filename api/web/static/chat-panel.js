/* The assistant's panel on screen; chat.js (loaded after this file) holds the conversation.
 *
 * Opening and closing the panel, where the focus goes and comes back, and where the panel sits
 * (chat.css): on a narrow screen it takes the whole screen, fitted to the part the on-screen
 * keyboard leaves visible, and the page behind it is inert; on a wide one the page makes room
 * for it, so that nothing fixed ever covers the focused element. The skip link « Aller à
 * l'assistant » (account/_layout.html) opens it from the top of the page.
 */
window.vigilanceAssistantPanel = function (root, hooks) {
  "use strict";

  var NARROW = window.matchMedia("(max-width: 48rem)");  /* as in chat.css */
  var panel = root.querySelector(".chat__panel");
  var opener = root.querySelector(".chat__open");
  var closer = root.querySelector(".chat__close");
  var input = root.querySelector("#assistant-message");
  var skipLink = document.querySelector(".skip-link--assistant");
  var returnFocusTo = opener;

  /* Full screen on a narrow screen: what lies behind the panel must not take the focus. */
  function setPageInert(on) {
    for (var node = root; node.parentElement && node !== document.body; node = node.parentElement) {
      Array.prototype.forEach.call(node.parentElement.children, function (sibling) {
        if (sibling !== node && sibling.tagName !== "SCRIPT") sibling.inert = on;
      });
    }
  }

  /* The on-screen keyboard shrinks the visible part of the screen, not the layout. */
  function fitToScreen() {
    var view = window.visualViewport;
    if (!view) return;
    root.style.setProperty("--chat-height", view.height + "px");
    root.style.setProperty("--chat-top", view.offsetTop + "px");
  }

  function layOut() {
    var isOpen = !panel.hidden;
    document.documentElement.classList.toggle("chat-is-open", isOpen);
    setPageInert(isOpen && NARROW.matches);
    if (isOpen) fitToScreen();
  }

  /* Shown without moving the focus (a conversation resumed on another page). */
  function show(withGreeting) {
    panel.hidden = false;
    opener.hidden = true;
    opener.setAttribute("aria-expanded", "true");
    layOut();
    hooks.shown(Boolean(withGreeting));
  }

  /* `from`: what the focus goes back to when the panel closes. */
  function open(focusTarget, from, withGreeting) {
    returnFocusTo = from || opener;
    show(withGreeting);
    (focusTarget || input).focus();
  }

  function close() {
    panel.hidden = true;
    opener.hidden = false;
    opener.setAttribute("aria-expanded", "false");
    layOut();
    hooks.hidden();
    (document.body.contains(returnFocusTo) ? returnFocusTo : opener).focus();
  }

  opener.addEventListener("click", function () {
    open(input, opener, true);
  });
  if (skipLink) {
    skipLink.addEventListener("click", function (event) {
      event.preventDefault();
      open(input, skipLink, true);
    });
  }
  closer.addEventListener("click", close);
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) close();
  });
  NARROW.addEventListener("change", layOut);
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitToScreen);
    window.visualViewport.addEventListener("scroll", fitToScreen);
  }

  return { open: open, show: show };
};
