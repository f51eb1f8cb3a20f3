/* The assistant's chat widget on the account pages: socket.io to Rasa, no framework.
 *
 * The page gives the assistant's address and a short-lived token (data attributes of
 * #assistant); the token travels only in the socket's `auth` payload. The conversation (its
 * client suffix and its messages) is kept in sessionStorage, so a reload or another account
 * page resumes it. New messages go into an ARIA live log; buttons are real <button>s.
 * Each message carries an id: when the connection drops before its answer (a server of the
 * assistant went away), the widget reconnects and sends it again with the same id, and the
 * assistant answers it without handling it twice. Only the newest question's reply buttons
 * answer: a later message retires the earlier ones. An empty conversation opens with a greeting
 * of the widget's own. The panel on screen (opening, focus, layout) is chat-panel.js's.
 */
(function () {
  "use strict";

  var root = document.getElementById("assistant");
  if (!root) return;

  var MAX_KEPT = 200;
  var ANSWER_TIMEOUT_MS = 20000;
  /* French typography: a no-break space (\u00a0) before « : ; ? ! » and inside « ». */
  var TEXT = {
    you: "Vous\u00a0: ",
    bot: "Assistant\u00a0: ",
    greeting: "Bonjour. Je peux vous aider à signaler un remboursement qui vous paraît anormal, " +
      "ou répondre à vos questions sur le courriel «\u00a0Information de paiement\u00a0». " +
      "Écrivez votre question ci-dessous.",
    unreachable: "L'assistant est injoignable pour le moment. Nouvelle tentative en cours…",
    dropped: "La connexion à l'assistant a été interrompue. Reconnexion en cours…",
    refused: "L'assistant n'a pas accepté la connexion\u00a0: rechargez la page, ou reconnectez-vous.",
    noLibrary: "L'assistant ne peut pas être chargé. Rechargez la page.",
    slow: "L'assistant ne répond pas. Vérifiez votre connexion, puis réessayez.",
    reportOpening: "Signaler le remboursement du {date}, {provider}"
  };

  var heading = root.querySelector("#assistant-titre");
  var log = root.querySelector(".chat__log");
  var list = root.querySelector(".chat__list");
  var errorBox = root.querySelector(".chat__error");
  var typing = root.querySelector(".chat__typing");
  var form = root.querySelector(".chat__form");
  var input = root.querySelector("#assistant-message");
  var token = root.getAttribute("data-token") || "";
  var url = root.getAttribute("data-assistant-url") || "";

  var storeKey = "vigilance.assistant." + subjectOf(token);
  var state = load();
  var socket = null;
  var ready = false;
  var pending = [];
  var awaiting = null;
  var answerTimer = null;

  function subjectOf(jwt) {
    try {
      var body = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return String(JSON.parse(window.atob(body)).sub || "inconnu");
    } catch (e) {
      return "inconnu";
    }
  }

  function randomSuffix(size) {
    var bytes = new Uint8Array(size || 12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function load() {
    try {
      var kept = JSON.parse(window.sessionStorage.getItem(storeKey) || "null");
      if (kept && typeof kept.session === "string" && Array.isArray(kept.messages)) return kept;
    } catch (e) { /* a broken entry: start again */ }
    return { session: randomSuffix(), messages: [], open: false };
  }

  function save() {
    state.messages = state.messages.slice(-MAX_KEPT);
    try {
      window.sessionStorage.setItem(storeKey, JSON.stringify(state));
    } catch (e) { /* storage full or disabled: the conversation still works */ }
  }

  /* Dates the assistant may write as 2026-11-14 read as 14/11/2026. */
  function readable(text) {
    return String(text).replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, "$3/$2/$1");
  }

  function frenchDate(iso) {
    var parts = iso.split("-");
    return parts.length === 3 ? parts[2] + "/" + parts[1] + "/" + parts[0] : iso;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
  }

  function setTyping(on) {
    typing.hidden = !on;
    window.clearTimeout(answerTimer);
    if (on) {
      answerTimer = window.setTimeout(function () {
        typing.hidden = true;
        showError(TEXT.slow);
      }, ANSWER_TIMEOUT_MS);
    }
  }

  function replyButtons(buttons) {
    var group = document.createElement("div");
    group.className = "chat__replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Réponses proposées");
    buttons.forEach(function (button) {
      var choice = document.createElement("button");
      choice.type = "button";
      choice.className = "button button--quiet button--small";
      choice.textContent = readable(button.title);
      choice.addEventListener("click", function () {
        input.focus();
        send(button.payload, button.title);
      });
      group.appendChild(choice);
    });
    return group;
  }

  function render(message) {
    var item = document.createElement("li");
    item.className = "chat__msg chat__msg--" + message.from;
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = message.from === "user" ? TEXT.you : TEXT.bot;
    var text = document.createElement("p");
    text.className = "chat__text";
    text.appendChild(who);
    text.appendChild(document.createTextNode(readable(message.text)));
    item.appendChild(text);
    if (message.buttons && message.buttons.length && !message.answered) {
      item.appendChild(replyButtons(message.buttons));
    }
    list.appendChild(item);
    scrollToNewest();
  }

  function scrollToNewest() {
    log.scrollTop = log.scrollHeight;
  }

  /* Earlier questions' buttons go, here and in storage: an old « Oui, envoyer » would now
   * answer another question. */
  function retireReplies() {
    state.messages.forEach(function (message) {
      if (message.buttons && message.buttons.length) message.answered = true;
    });
    var focusWasThere = false;
    Array.prototype.forEach.call(list.querySelectorAll(".chat__replies"), function (group) {
      focusWasThere = focusWasThere || group.contains(document.activeElement);
      group.remove();
    });
    if (focusWasThere) input.focus();
  }

  /* A user's message, or a new question with its own buttons, makes the earlier ones stale; a
   * plain message of the same answer (« Voici votre signalement » then a line) does not. */
  function add(message) {
    if (message.from === "user" || message.buttons.length) retireReplies();
    state.messages.push(message);
    save();
    render(message);
  }

  function restore() {
    list.textContent = "";
    state.messages.forEach(render);
  }

  /* Said by the widget itself, never sent to the assistant. */
  function greet() {
    if (!state.messages.length) add({ from: "bot", text: TEXT.greeting, buttons: [], local: true });
  }

  function onBotMessage(data) {
    if (!data || typeof data !== "object") return;
    awaiting = null;
    setTyping(false);
    clearError();
    var buttons = (data.quick_replies || data.buttons || []).map(function (b) {
      return { title: String(b.title), payload: String(b.payload) };
    });
    if (typeof data.text === "string" && data.text) {
      add({ from: "bot", text: data.text, buttons: buttons });
    }
  }

  function emit(outgoing) {
    awaiting = outgoing;
    socket.emit("user_uttered", { message: outgoing.text, message_id: outgoing.id });
    setTyping(true);
  }

  function send(text, shown) {
    add({ from: "user", text: shown || text, buttons: [] });
    var outgoing = { text: text, id: randomSuffix(16) };
    if (ready) emit(outgoing);
    else pending.push(outgoing);
    connect();
  }

  function connect() {
    if (socket) return;
    if (typeof window.io !== "function") {
      showError(TEXT.noLibrary);
      return;
    }
    socket = window.io(url, {
      auth: { token: token },
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000
    });
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: state.session });
    });
    socket.on("session_confirm", function () {
      ready = true;
      clearError();
      // A message whose answer the dropped connection lost goes again, with the same id.
      if (awaiting) emit(awaiting);
      while (pending.length) emit(pending.shift());
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("assistant_error", function (error) {
      awaiting = null;
      setTyping(false);
      showError((error && error.detail) || TEXT.slow);
    });
    socket.on("connect_error", function () {
      ready = false;
      setTyping(false);
      // Refused by the server (token): socket.io does not retry by itself.
      showError(socket.active ? TEXT.unreachable : TEXT.refused);
    });
    socket.on("disconnect", function (reason) {
      ready = false;
      setTyping(false);
      showError(socket.active ? TEXT.dropped : TEXT.refused);
      if (reason === "io server disconnect") socket = null;
    });
  }

  var onScreen = window.vigilanceAssistantPanel(root, {
    shown: function (withGreeting) {
      if (withGreeting) greet();
      scrollToNewest();
      remember(true);
      connect();
    },
    hidden: function () {
      remember(false);
    }
  });

  function remember(isOpen) {
    state.open = isOpen;
    save();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    input.value = "";
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  /* « Signaler ce remboursement »: the report starts with the claim's date and provider. */
  Array.prototype.forEach.call(document.querySelectorAll(".js-report"), function (button) {
    button.addEventListener("click", function () {
      var careDate = button.getAttribute("data-care-date");
      var provider = button.getAttribute("data-provider");
      var payload = "/report_suspicious_reimbursement" + JSON.stringify({
        care_date: careDate,
        provider: provider,
        claim_choice: button.getAttribute("data-claim-id")
      });
      onScreen.open(heading, button);
      send(payload, TEXT.reportOpening
        .replace("{date}", frenchDate(careDate))
        .replace("{provider}", provider));
    });
  });

  restore();
  if (state.open) onScreen.show();
})();
