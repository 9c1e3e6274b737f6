/*
 * Tally's offline stand-in for Plaid Link (https://cdn.plaid.com/link/v2/stable/link-initialize.js).
 *
 * Defines `window.Plaid.create(config)` with the same API as Plaid's script and draws the Link
 * modal in the page itself. Every answer comes from the simulator mounted where this script was
 * loaded from (see README.md next to this file for the HTTP contract). No dependencies, no inline
 * styles or handlers (the page's Content-Security-Policy forbids them); the look is in link.css.
 */
(function () {
  'use strict';

  if (window.Plaid && window.Plaid.__tallySimulator) return;

  // ---------------------------------------------------------------------------------------------
  // Where the simulator lives: the directory this script was loaded from.

  const SCRIPT_RE = /\/link-initialize\.js(?:[?#].*)?$/;

  function findBase() {
    let src = document.currentScript && document.currentScript.src;
    if (!src) {
      const scripts = document.querySelectorAll('script[src]');
      for (let i = scripts.length - 1; i >= 0; i -= 1) {
        if (SCRIPT_RE.test(scripts[i].src)) {
          src = scripts[i].src;
          break;
        }
      }
    }
    if (!src) return window.location.origin + '/sim/plaid';
    const url = new URL(src, window.location.href);
    return url.origin + url.pathname.replace(/\/[^/]*$/, '');
  }

  const BASE = findBase();
  const CSS_URL = BASE + '/link.css';

  // ---------------------------------------------------------------------------------------------
  // The stylesheet, added once for every handler; handlers wait for it (or 4 s) before onLoad.

  let cssReady = null;

  function loadCss() {
    if (cssReady) return cssReady;
    cssReady = new Promise((resolve) => {
      let link = document.querySelector('link[data-plaid-sim-css]');
      if (link && link.sheet) {
        resolve();
        return;
      }
      let timer = 0;
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      timer = setTimeout(done, 4000);
      if (!link) {
        link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = CSS_URL;
        link.setAttribute('data-plaid-sim-css', '');
        link.addEventListener('load', done, { once: true });
        link.addEventListener('error', done, { once: true });
        (document.head || document.documentElement).appendChild(link);
      } else {
        link.addEventListener('load', done, { once: true });
        link.addEventListener('error', done, { once: true });
      }
    });
    return cssReady;
  }

  loadCss();

  // ---------------------------------------------------------------------------------------------
  // Talking to the simulator.

  /** A Plaid error object `{error_type, error_code, error_message, display_message}`. */
  class LinkError extends Error {
    constructor(plaid) {
      super(plaid.error_message || plaid.error_code || 'Link error');
      this.plaid = plaid;
    }
  }

  function plaidError(type, code, message, display, requestId) {
    return {
      error_type: type,
      error_code: code,
      error_message: message,
      display_message: display,
      request_id: requestId || null,
    };
  }

  function isAbort(e) {
    return e && e.name === 'AbortError';
  }

  async function api(path, body, signal) {
    const init =
      body === undefined
        ? { method: 'GET', headers: { Accept: 'application/json' }, signal }
        : {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
            credentials: 'same-origin',
            signal,
          };
    let res;
    try {
      res = await fetch(BASE + path, init);
    } catch (e) {
      if (isAbort(e)) throw e;
      throw new LinkError(
        plaidError(
          'API_ERROR',
          'NETWORK_ERROR',
          'could not reach the simulator: ' + (e && e.message ? e.message : String(e)),
          'We could not reach the server. Check your connection and try again.',
        ),
      );
    }
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      if (isAbort(e)) throw e;
      data = null;
    }
    if (!res.ok || !data || typeof data !== 'object' || data.error_code) {
      if (data && typeof data === 'object' && data.error_code) {
        throw new LinkError(
          plaidError(
            data.error_type || 'API_ERROR',
            data.error_code,
            data.error_message || data.error_code,
            data.display_message == null ? null : data.display_message,
            data.request_id,
          ),
        );
      }
      throw new LinkError(
        plaidError(
          'API_ERROR',
          'INTERNAL_SERVER_ERROR',
          'the simulator answered HTTP ' + res.status + ' without a Plaid error',
          'Something went wrong on our side. Please try again.',
          data && data.request_id,
        ),
      );
    }
    return data;
  }

  /** Errors after which the same form cannot succeed: Link shows its error pane instead. */
  const TERMINAL_TYPES = ['INVALID_INPUT', 'INVALID_REQUEST', 'INVALID_RESULT', 'OAUTH_ERROR'];
  const TERMINAL_CODES = [
    'INVALID_LINK_TOKEN',
    'ITEM_LOCKED',
    'ITEM_NOT_SUPPORTED',
    'MFA_NOT_SUPPORTED',
    'NO_ACCOUNTS',
    'USER_SETUP_REQUIRED',
    'COUNTRY_NOT_SUPPORTED',
    'INSTITUTION_NOT_SUPPORTED',
    'INSTITUTION_NO_LONGER_SUPPORTED',
    'PRODUCTS_NOT_SUPPORTED',
  ];

  function isTerminal(err) {
    return TERMINAL_TYPES.includes(err.error_type) || TERMINAL_CODES.includes(err.error_code);
  }

  function publicError(err) {
    return err
      ? {
          error_type: err.error_type,
          error_code: err.error_code,
          error_message: err.error_message,
          display_message: err.display_message,
        }
      : null;
  }

  function messageOf(err) {
    return err.display_message || err.error_message || 'Something went wrong. Please try again.';
  }

  // ---------------------------------------------------------------------------------------------
  // DOM helpers (no innerHTML with server text, no inline styles or handlers).

  const PROPS = { checked: 1, value: 1, disabled: 1, readOnly: 1 };

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) {
      for (const key of Object.keys(props)) {
        const v = props[key];
        if (v == null || v === false) continue;
        if (key === 'class') el.className = v;
        else if (key === 'text') el.textContent = v;
        else if (key.startsWith('on') && typeof v === 'function') {
          el.addEventListener(key.slice(2), v);
        } else if (PROPS[key]) el[key] = v;
        else el.setAttribute(key, v === true ? '' : String(v));
      }
    }
    for (const child of children.flat()) {
      if (child != null && child !== false) el.append(child);
    }
    return el;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const ICONS = {
    close: ['M6 6l12 12', 'M18 6L6 18'],
    back: ['M15 18l-6-6 6-6'],
    search: ['M11 4a7 7 0 1 0 0 14a7 7 0 1 0 0-14z', 'M20 20l-4-4'],
    check: ['M5 12.5l4.5 4.5L19 7.5'],
    alert: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M12 7.5v5.5', 'M12 16.6v.1'],
    lock: ['M6 11h12v9H6z', 'M8.5 11V8a3.5 3.5 0 0 1 7 0v3'],
    arrow: ['M5 12h14', 'M13 6l6 6-6 6'],
    bank: ['M3 10l9-6 9 6', 'M5 10v8', 'M9.5 10v8', 'M14.5 10v8', 'M19 10v8', 'M3 20h18'],
  };

  function icon(name, cls) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('fill', 'none');
    svg.setAttribute('stroke', 'currentColor');
    svg.setAttribute('stroke-width', '2');
    svg.setAttribute('stroke-linecap', 'round');
    svg.setAttribute('stroke-linejoin', 'round');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'plaid-sim-icon' + (cls ? ' ' + cls : ''));
    for (const d of ICONS[name]) {
      const path = document.createElementNS(SVG_NS, 'path');
      path.setAttribute('d', d);
      svg.appendChild(path);
    }
    return svg;
  }

  const FALLBACK_COLORS = ['#0f766e', '#1d4ed8', '#7c3aed', '#b45309', '#be123c', '#15803d', '#334155'];

  function colorOf(inst) {
    const c = inst && inst.primary_color;
    if (typeof c === 'string' && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(c)) return c;
    let hash = 0;
    const name = (inst && inst.name) || '';
    for (let i = 0; i < name.length; i += 1) hash = (hash * 31 + name.charCodeAt(i)) | 0;
    return FALLBACK_COLORS[Math.abs(hash) % FALLBACK_COLORS.length];
  }

  function isLight(hex) {
    let s = hex.slice(1);
    if (s.length === 3) s = s.replace(/./g, '$&$&');
    const n = parseInt(s, 16);
    const r = (n >> 16) & 255;
    const g = (n >> 8) & 255;
    const b = n & 255;
    return 0.299 * r + 0.587 * g + 0.114 * b > 170;
  }

  function xmlEscape(s) {
    return s.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  }

  /** The bank's logo, or a coloured tile with its initial; decorative (alt=""). */
  function logo(inst, cls) {
    let src;
    const raw = inst && inst.logo;
    if (typeof raw === 'string' && raw.length > 0) {
      src = raw.startsWith('data:') ? raw : 'data:image/png;base64,' + raw;
    } else {
      const bg = colorOf(inst);
      const fg = isLight(bg) ? '#111827' : '#ffffff';
      const name = ((inst && inst.name) || '?').replace(/^the\s+/i, '');
      const letter = xmlEscape((name.trim()[0] || '?').toUpperCase());
      const svg =
        '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80" viewBox="0 0 80 80">' +
        '<rect width="80" height="80" rx="20" fill="' + bg + '"/>' +
        '<text x="40" y="53" text-anchor="middle" font-family="system-ui,-apple-system,Segoe UI,' +
        'Roboto,Helvetica,Arial,sans-serif" font-size="36" font-weight="600" fill="' + fg + '">' +
        letter + '</text></svg>';
      src = 'data:image/svg+xml,' + encodeURIComponent(svg);
    }
    return h('img', { class: 'plaid-sim-logo' + (cls ? ' ' + cls : ''), src, alt: '', width: 40, height: 40 });
  }

  function report(error) {
    if (typeof window.reportError === 'function') window.reportError(error);
    else setTimeout(() => { throw error; }, 0);
  }

  /** Calls an app callback; whatever it throws is reported like an uncaught error, not ours. */
  function call(fn, ...args) {
    if (typeof fn !== 'function') return;
    try {
      fn(...args);
    } catch (e) {
      report(e);
    }
  }

  function normInstitution(x) {
    if (!x || typeof x !== 'object') return null;
    return {
      institution_id: x.institution_id == null ? null : String(x.institution_id),
      name: x.name == null ? '' : String(x.name),
      oauth: x.oauth === true,
      primary_color: x.primary_color || null,
      logo: x.logo || null,
      url: x.url || null,
    };
  }

  function normAccount(a) {
    return {
      id: a.id,
      name: a.name,
      mask: a.mask == null ? null : a.mask,
      type: a.type == null ? null : a.type,
      subtype: a.subtype == null ? null : a.subtype,
      verification_status: null,
      class_type: null,
    };
  }

  function accountLabel(a) {
    return a.mask ? a.name + ' \u2022\u2022' + a.mask : String(a.name);
  }

  const FOCUSABLE =
    'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), ' +
    'a[href], [tabindex]:not([tabindex="-1"])';

  let uidCounter = 0;
  const openStack = [];

  // ---------------------------------------------------------------------------------------------
  // One Link handler.

  class Link {
    constructor(config) {
      this.config = config || {};
      this.token = this.config.token == null ? '' : String(this.config.token);
      const redirect = this.config.receivedRedirectUri;
      this.redirectUri = typeof redirect === 'string' && redirect !== '' ? redirect : null;
      this.uid = 'plaid-sim-' + (uidCounter += 1);
      this.destroyed = false;
      this.ready = false;
      this.pendingOpen = false;
      this.isOpen = false;
      this.gen = 0;
      this.timers = new Set();
      this.prefetch = null;
      this.onKeyDown = this.onKeyDown.bind(this);
      this.onFocusIn = this.onFocusIn.bind(this);
      this.resetFlow();

      const waits = [loadCss()];
      if (!this.redirectUri) {
        this.prefetch = this.startSession();
        waits.push(this.prefetch);
      }
      Promise.all(waits).then(() => {
        if (this.destroyed) return;
        this.ready = true;
        call(this.config.onLoad);
        if (this.pendingOpen && !this.destroyed) {
          this.pendingOpen = false;
          this.doOpen();
        }
      });
    }

    resetFlow() {
      this.linkSessionId = null;
      this.requestId = null;
      this.mode = 'new';
      this.institution = null;
      this.status = 'requires_credentials';
      this.view = null;
      this.lastError = null;
      this.mfa = null;
      this.accounts = [];
      this.publicToken = null;
      this.linkedAccounts = [];
      this.busy = false;
      this.query = '';
      this.searchSeq = 0;
      this.noResults = false;
      this.viaRedirect = false;
    }

    // --- the public API --------------------------------------------------------------------------

    open() {
      if (this.destroyed || this.isOpen) return;
      if (!this.ready) {
        this.pendingOpen = true;
        return;
      }
      this.doOpen();
    }

    exit(opts) {
      void opts; // `force` or not, the simulator closes at once (Plaid may ask first).
      if (this.destroyed) return;
      if (!this.isOpen) {
        this.pendingOpen = false;
        return;
      }
      this.finishExit();
    }

    destroy() {
      if (this.destroyed) return;
      this.destroyed = true;
      this.pendingOpen = false;
      this.teardown();
    }

    // --- opening and closing ---------------------------------------------------------------------

    /** Starts `/link/session`; resolves to `{data}` or `{error}`, never rejects. */
    startSession() {
      return api('/link/session', { link_token: this.token }).then(
        (data) => ({ data }),
        (e) => ({ error: e instanceof LinkError ? e.plaid : plaidError('API_ERROR', 'INTERNAL_SERVER_ERROR', String(e), null) }),
      );
    }

    doOpen() {
      if (this.isOpen || this.destroyed) return;
      this.isOpen = true;
      this.gen += 1;
      this.resetFlow();
      this.abort = new AbortController();
      this.mount();
      this.showLoading('Loading');

      const gen = this.gen;
      if (this.redirectUri) {
        const uri = this.redirectUri;
        this.redirectUri = null; // one return per handler; a later open() starts afresh
        this.viaRedirect = true;
        this.resume(uri, gen);
        return;
      }
      const session = this.prefetch || this.startSession();
      this.prefetch = null;
      session.then((result) => {
        if (gen !== this.gen) return;
        if (result.error) {
          this.noteRequest(result.error.request_id);
          this.emit('OPEN');
          this.fail(result.error);
          return;
        }
        const data = result.data;
        this.noteRequest(data.request_id);
        this.linkSessionId = data.link_session_id || null;
        const inst = normInstitution(data.institution);
        if (data.mode === 'update' && inst) {
          this.mode = 'update';
          this.institution = inst;
        }
        this.emit('OPEN');
        if (this.mode === 'update' && data.next === 'select_accounts') {
          // Update mode with account selection: the item's accounts and the bank's new ones.
          this.accounts = Array.isArray(data.accounts) ? data.accounts : [];
          this.showAccounts();
        } else if (this.mode === 'update') this.showLogin();
        else this.showInstitutions();
      });
    }

    mount() {
      const id = this.uid;
      this.returnFocus = document.activeElement;
      this.backButton = h(
        'button',
        { type: 'button', class: 'plaid-sim-icon-button plaid-sim-back', 'aria-label': 'Back', hidden: true, onclick: () => this.goBack() },
        icon('back'),
      );
      this.closeButton = h(
        'button',
        { type: 'button', class: 'plaid-sim-icon-button plaid-sim-close', 'aria-label': 'Close', onclick: () => this.close() },
        icon('close'),
      );
      this.body = h('div', { class: 'plaid-sim-body' });
      this.dialog = h(
        'div',
        { class: 'plaid-sim-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': id + '-title', tabindex: '-1' },
        h('div', { class: 'plaid-sim-header' }, this.backButton, h('div', { class: 'plaid-sim-header-space' }), this.closeButton),
        this.body,
        h(
          'div',
          { class: 'plaid-sim-footer' },
          icon('lock', 'plaid-sim-footer-icon'),
          h('span', { text: 'Simulated connection \u00b7 no real bank involved' }),
        ),
      );
      this.root = h('div', { class: 'plaid-sim-root', 'data-plaid-sim': '' }, h('div', { class: 'plaid-sim-overlay' }, this.dialog));
      (document.body || document.documentElement).appendChild(this.root);
      document.documentElement.classList.add('plaid-sim-lock');
      document.addEventListener('keydown', this.onKeyDown, true);
      document.addEventListener('focusin', this.onFocusIn, true);
      openStack.push(this);
      this.dialog.focus();
    }

    /** Removes the modal and everything attached to it; calls nothing. */
    teardown() {
      this.gen += 1;
      if (this.abort) this.abort.abort();
      this.abort = null;
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      document.removeEventListener('keydown', this.onKeyDown, true);
      document.removeEventListener('focusin', this.onFocusIn, true);
      const i = openStack.indexOf(this);
      if (i >= 0) openStack.splice(i, 1);
      const hadFocus = this.root && this.root.contains(document.activeElement);
      if (this.root) this.root.remove();
      this.root = null;
      this.dialog = null;
      this.body = null;
      if (!openStack.length) document.documentElement.classList.remove('plaid-sim-lock');
      this.isOpen = false;
      const back = this.returnFocus;
      this.returnFocus = null;
      if (hadFocus && back && back.isConnected && typeof back.focus === 'function') {
        try {
          back.focus();
        } catch (e) {
          /* the element cannot take focus any more */
        }
      }
    }

    /** The close button and Escape: success on the success pane, else an exit. */
    close() {
      if (!this.isOpen) return;
      if (this.view === 'CONNECTED') this.finishSuccess();
      else this.finishExit();
    }

    finishExit() {
      const error = publicError(this.lastError);
      const status = this.status;
      const metadata = {
        institution: this.institution ? { name: this.institution.name, institution_id: this.institution.institution_id } : null,
        status,
        link_session_id: this.linkSessionId,
        request_id: this.requestId,
      };
      this.emit('EXIT', { exit_status: status, view_name: this.view, ...this.errorFields(this.lastError) });
      const sessionId = this.linkSessionId;
      this.teardown();
      if (sessionId) {
        fetch(BASE + '/link/exit', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ link_token: this.token, link_session_id: sessionId, status }),
          credentials: 'same-origin',
          keepalive: true,
        }).catch(() => {});
      }
      call(this.config.onExit, error, metadata);
    }

    finishSuccess() {
      const accounts = this.linkedAccounts.map(normAccount);
      const inst = this.institution;
      const metadata = {
        institution: inst ? { name: inst.name, institution_id: inst.institution_id } : null,
        accounts,
        account: accounts[0] || null,
        link_session_id: this.linkSessionId,
        transfer_status: null,
      };
      const token = this.publicToken;
      this.emit('HANDOFF');
      this.teardown();
      call(this.config.onSuccess, token, metadata);
    }

    // --- keyboard and focus ----------------------------------------------------------------------

    isTop() {
      return openStack[openStack.length - 1] === this;
    }

    onKeyDown(event) {
      if (!this.isOpen || !this.isTop()) return;
      if (event.key === 'Escape' || event.key === 'Esc') {
        event.preventDefault();
        event.stopPropagation();
        this.close();
      } else if (event.key === 'Tab') {
        const items = this.focusables();
        if (!items.length) {
          event.preventDefault();
          this.dialog.focus();
          return;
        }
        const first = items[0];
        const last = items[items.length - 1];
        const active = document.activeElement;
        if (event.shiftKey && (active === first || active === this.dialog || !this.dialog.contains(active))) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && (active === last || !this.dialog.contains(active))) {
          event.preventDefault();
          first.focus();
        }
      }
    }

    onFocusIn(event) {
      if (!this.isOpen || !this.isTop() || !this.dialog) return;
      if (!this.dialog.contains(event.target)) this.dialog.focus();
    }

    focusables() {
      return Array.from(this.dialog.querySelectorAll(FOCUSABLE)).filter(
        (el) => !el.hidden && el.getClientRects().length > 0,
      );
    }

    // --- events ----------------------------------------------------------------------------------

    noteRequest(requestId) {
      if (requestId) this.requestId = requestId;
    }

    errorFields(err) {
      return err
        ? { error_type: err.error_type, error_code: err.error_code, error_message: err.error_message }
        : {};
    }

    emit(name, extra) {
      const inst = this.institution;
      const metadata = {
        link_session_id: this.linkSessionId,
        request_id: this.requestId,
        timestamp: new Date().toISOString(),
        view_name: null,
        institution_id: inst ? inst.institution_id : null,
        institution_name: inst ? inst.name : null,
        institution_search_query: null,
        error_type: null,
        error_code: null,
        error_message: null,
        exit_status: null,
        is_update_mode: this.mode === 'update',
        mfa_type: null,
        ...extra,
      };
      call(this.config.onEvent, name, metadata);
    }

    later(fn, ms) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        fn();
      }, ms);
      this.timers.add(t);
      return t;
    }

    /** Runs a simulator call for the current opening; resolves to null if Link closed meanwhile. */
    async request(path, body) {
      const gen = this.gen;
      const signal = this.abort ? this.abort.signal : undefined;
      try {
        const data = await api(path, body, signal);
        if (gen !== this.gen) return null;
        this.noteRequest(data.request_id);
        return data;
      } catch (e) {
        if (gen !== this.gen || isAbort(e)) return null;
        const err = e instanceof LinkError ? e.plaid : plaidError('API_ERROR', 'INTERNAL_SERVER_ERROR', String(e), null);
        this.noteRequest(err.request_id);
        throw err;
      }
    }

    // --- views -----------------------------------------------------------------------------------

    /**
     * Replaces the dialog's content. `view` is Plaid's view name (null for loading), `status` the
     * exit status while it shows, `focus` the element to focus.
     */
    render(view, status, content, focus) {
      if (!this.body) return;
      if (this.searchTimer) {
        clearTimeout(this.searchTimer);
        this.timers.delete(this.searchTimer);
        this.searchTimer = null;
      }
      this.view = view;
      if (status) this.status = status;
      this.busy = false;
      this.body.replaceChildren(content);
      this.body.scrollTop = 0;
      this.dialog.setAttribute('data-step', view ? view.toLowerCase() : 'loading');
      const canGoBack =
        this.mode === 'new' && !this.viaRedirect && (view === 'CREDENTIAL' || view === 'OAUTH');
      this.backButton.hidden = !canGoBack;
      (focus || this.dialog).focus();
      if (view) this.emit('TRANSITION_VIEW', { view_name: view });
    }

    title(text) {
      return h('h2', { class: 'plaid-sim-title', id: this.uid + '-title', text });
    }

    alertSlot() {
      return h('div', { class: 'plaid-sim-alert-slot' });
    }

    showAlert(slot, message) {
      slot.replaceChildren(
        h('div', { class: 'plaid-sim-alert', role: 'alert' }, icon('alert', 'plaid-sim-alert-icon'), h('span', { text: message })),
      );
    }

    /** Shows a Plaid error: the ERROR event, and either the form's alert or the error pane. */
    reportError(err, slot) {
      this.lastError = err;
      this.emit('ERROR', { view_name: this.view, ...this.errorFields(err) });
      if (!slot || isTerminal(err)) this.showError(err);
      else this.showAlert(slot, messageOf(err));
    }

    fail(err) {
      this.lastError = err;
      this.emit('ERROR', { view_name: this.view, ...this.errorFields(err) });
      this.showError(err);
    }

    setBusy(form, button, on) {
      this.busy = on;
      form.setAttribute('aria-busy', on ? 'true' : 'false');
      for (const input of form.querySelectorAll('input')) input.readOnly = on;
      button.classList.toggle('plaid-sim-button--busy', on);
      if (on) button.setAttribute('aria-disabled', 'true');
      else button.removeAttribute('aria-disabled');
    }

    primaryButton(text, props) {
      return h(
        'button',
        { type: 'button', class: 'plaid-sim-button', ...props },
        h('span', { class: 'plaid-sim-spinner plaid-sim-button-spinner', 'aria-hidden': 'true' }),
        h('span', { class: 'plaid-sim-button-text', text }),
      );
    }

    field(label, input, id) {
      input.id = id;
      return h('div', { class: 'plaid-sim-field' }, h('label', { class: 'plaid-sim-label', for: id, text: label }), input);
    }

    showLoading(text) {
      const content = h(
        'div',
        { class: 'plaid-sim-step plaid-sim-step--center plaid-sim-loading' },
        h('h2', { class: 'plaid-sim-title plaid-sim-visually-hidden', id: this.uid + '-title', text }),
        h('span', { class: 'plaid-sim-spinner plaid-sim-spinner--large', 'aria-hidden': 'true' }),
        h('p', { class: 'plaid-sim-text', role: 'status', text: text === 'Loading' ? 'Loading\u2026' : text }),
      );
      this.render(null, null, content, null);
    }

    // 1. Select institution ----------------------------------------------------------------------

    showInstitutions() {
      this.institution = null;
      const inputId = this.uid + '-search';
      this.searchInput = h('input', {
        class: 'plaid-sim-input plaid-sim-search-input',
        id: inputId,
        type: 'search',
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: 'Bank name',
        value: this.query,
        oninput: () => this.onSearchInput(),
        onkeydown: (e) => {
          if (e.key === 'ArrowDown') {
            const first = this.list.querySelector('button');
            if (first) {
              e.preventDefault();
              first.focus();
            }
          } else if (e.key === 'Enter') {
            e.preventDefault();
          }
        },
      });
      this.list = h('ul', { class: 'plaid-sim-list', 'aria-label': 'Banks', onkeydown: (e) => this.onListKey(e) });
      this.listState = h('div', { class: 'plaid-sim-list-state' });
      this.resultsStatus = h('div', { class: 'plaid-sim-visually-hidden', role: 'status' });
      this.searchSpinner = h('span', { class: 'plaid-sim-spinner plaid-sim-search-spinner', 'aria-hidden': 'true', hidden: true });
      const content = h(
        'div',
        { class: 'plaid-sim-step plaid-sim-step--list' },
        this.title('Select your bank'),
        h(
          'div',
          { class: 'plaid-sim-field plaid-sim-search' },
          h('label', { class: 'plaid-sim-label', for: inputId, text: 'Search' }),
          h('div', { class: 'plaid-sim-search-box' }, icon('search', 'plaid-sim-search-icon'), this.searchInput, this.searchSpinner),
        ),
        h('div', { class: 'plaid-sim-list-wrap' }, this.list, this.listState),
        this.resultsStatus,
      );
      this.render('SELECT_INSTITUTION', 'requires_credentials', content, this.searchInput);
      this.search(this.query, false);
    }

    onSearchInput() {
      if (this.searchTimer) {
        clearTimeout(this.searchTimer);
        this.timers.delete(this.searchTimer);
      }
      this.searchTimer = this.later(() => {
        this.searchTimer = null;
        this.search(this.searchInput.value, true);
      }, 150);
    }

    onListKey(e) {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
      const buttons = Array.from(this.list.querySelectorAll('button'));
      const i = buttons.indexOf(document.activeElement);
      if (i < 0) return;
      e.preventDefault();
      if (e.key === 'Home') buttons[0].focus();
      else if (e.key === 'End') buttons[buttons.length - 1].focus();
      else if (e.key === 'ArrowDown') buttons[Math.min(i + 1, buttons.length - 1)].focus();
      else if (i === 0) this.searchInput.focus();
      else buttons[i - 1].focus();
    }

    async search(rawQuery, announce) {
      const query = rawQuery.trim();
      this.query = rawQuery;
      const seq = (this.searchSeq += 1);
      if (announce && query) this.emit('SEARCH_INSTITUTION', { institution_search_query: query, view_name: 'SELECT_INSTITUTION' });
      if (!this.list.childElementCount) {
        this.listState.replaceChildren(h('div', { class: 'plaid-sim-list-loading' }, h('span', { class: 'plaid-sim-spinner', 'aria-hidden': 'true' })));
      }
      this.searchSpinner.hidden = false;
      let data;
      try {
        data = await this.request('/link/institutions?query=' + encodeURIComponent(query));
      } catch (err) {
        if (seq !== this.searchSeq || this.view !== 'SELECT_INSTITUTION') return;
        this.searchSpinner.hidden = true;
        this.lastError = err;
        this.emit('ERROR', { view_name: this.view, ...this.errorFields(err) });
        this.list.replaceChildren();
        const slot = this.alertSlot();
        this.showAlert(slot, messageOf(err));
        this.listState.replaceChildren(
          slot,
          h('button', { type: 'button', class: 'plaid-sim-button plaid-sim-button--secondary', text: 'Try again', onclick: () => this.search(this.searchInput.value, false) }),
        );
        return;
      }
      if (!data || seq !== this.searchSeq || this.view !== 'SELECT_INSTITUTION') return;
      this.searchSpinner.hidden = true;
      const institutions = (Array.isArray(data.institutions) ? data.institutions : []).map(normInstitution).filter(Boolean);
      this.lastError = null;
      this.noResults = query !== '' && institutions.length === 0;
      this.status = this.noResults ? 'institution_not_found' : 'requires_credentials';
      this.list.replaceChildren(
        ...institutions.map((inst) =>
          h(
            'li',
            { class: 'plaid-sim-list-item' },
            h(
              'button',
              { type: 'button', class: 'plaid-sim-institution', 'data-institution-id': inst.institution_id, onclick: () => this.selectInstitution(inst) },
              logo(inst),
              h('span', { class: 'plaid-sim-institution-name', text: inst.name }),
            ),
          ),
        ),
      );
      if (institutions.length) {
        this.listState.replaceChildren();
        this.resultsStatus.textContent = institutions.length === 1 ? '1 bank' : institutions.length + ' banks';
      } else {
        this.listState.replaceChildren(
          h(
            'div',
            { class: 'plaid-sim-empty' },
            icon('bank', 'plaid-sim-empty-icon'),
            h('p', { class: 'plaid-sim-empty-title', text: query ? 'No results for \u201c' + query + '\u201d' : 'No banks available' }),
            h('p', { class: 'plaid-sim-text plaid-sim-text--small', text: 'Check the spelling or try another name.' }),
          ),
        );
        this.resultsStatus.textContent = 'No banks found';
      }
    }

    selectInstitution(inst) {
      if (this.busy) return;
      this.institution = inst;
      this.emit('SELECT_INSTITUTION', { institution_id: inst.institution_id, institution_name: inst.name, view_name: 'SELECT_INSTITUTION' });
      this.showLogin();
    }

    goBack() {
      if (this.mode !== 'new' || this.viaRedirect) return;
      if (this.view !== 'CREDENTIAL' && this.view !== 'OAUTH') return;
      this.gen += 1; // drop any answer still on its way
      if (this.abort) this.abort.abort();
      this.abort = new AbortController();
      this.lastError = null;
      this.showInstitutions();
    }

    showLogin() {
      if (this.institution && this.institution.oauth) this.showOAuth();
      else this.showCredentials();
    }

    institutionHeader() {
      return h('div', { class: 'plaid-sim-hero plaid-sim-hero--left' }, logo(this.institution, 'plaid-sim-logo--large'));
    }

    // 2. Credentials -----------------------------------------------------------------------------

    showCredentials() {
      const inst = this.institution;
      const slot = this.alertSlot();
      const username = h('input', { class: 'plaid-sim-input', type: 'text', name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' });
      const password = h('input', { class: 'plaid-sim-input', type: 'password', name: 'password', autocomplete: 'current-password' });
      const submit = this.primaryButton('Submit', { type: 'submit' });
      const form = h(
        'form',
        { class: 'plaid-sim-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.submitCredentials(form, submit, slot, username, password); } },
        this.field('Username', username, this.uid + '-username'),
        this.field('Password', password, this.uid + '-password'),
        h('div', { class: 'plaid-sim-actions' }, submit, h('p', { class: 'plaid-sim-hint', text: 'Test login: user_good / pass_good' })),
      );
      const content = h(
        'div',
        { class: 'plaid-sim-step' },
        this.institutionHeader(),
        this.title('Log in to ' + inst.name),
        h('p', { class: 'plaid-sim-text', text: 'Enter the username and password you use for ' + inst.name + ' online banking.' }),
        slot,
        form,
      );
      this.render('CREDENTIAL', 'requires_credentials', content, username);
    }

    async submitCredentials(form, submit, slot, username, password) {
      if (this.busy) return;
      if (!username.value.trim() || !password.value) {
        this.showAlert(slot, 'Enter your username and password.');
        (username.value.trim() ? password : username).focus();
        return;
      }
      this.emit('SUBMIT_CREDENTIALS', { view_name: 'CREDENTIAL' });
      this.setBusy(form, submit, true);
      let data;
      try {
        data = await this.request('/link/credentials', {
          link_token: this.token,
          link_session_id: this.linkSessionId,
          institution_id: this.institution.institution_id,
          username: username.value,
          password: password.value,
        });
      } catch (err) {
        this.setBusy(form, submit, false);
        this.reportError(err, slot);
        if (this.view === 'CREDENTIAL') {
          password.value = '';
          password.focus();
        }
        return;
      }
      if (!data) return;
      this.next(data, slot, form, submit);
    }

    /** Follows a credentials, MFA or OAuth-return answer to its next step. */
    next(data, slot, form, submit) {
      this.lastError = null;
      if (data.next === 'select_accounts') {
        this.accounts = Array.isArray(data.accounts) ? data.accounts : [];
        this.showAccounts();
      } else if (data.next === 'mfa') {
        this.mfa = { type: data.mfa_type || 'code', prompt: data.prompt || '' };
        this.showMfa();
      } else if (data.next === 'done') {
        this.publicToken = data.public_token || null;
        this.linkedAccounts = Array.isArray(data.accounts) ? data.accounts : [];
        this.showConnected();
      } else {
        if (form && submit) this.setBusy(form, submit, false);
        this.reportError(
          plaidError('API_ERROR', 'INTERNAL_SERVER_ERROR', 'unexpected answer from the simulator: next = ' + JSON.stringify(data.next), 'Something went wrong. Please try again.', data.request_id),
          slot,
        );
      }
    }

    // 3. MFA ---------------------------------------------------------------------------------------

    showMfa() {
      const mfa = this.mfa;
      const slot = this.alertSlot();
      const isCode = mfa.type === 'code' || mfa.type === 'device';
      const label = isCode ? 'Code' : mfa.type === 'questions' && mfa.prompt ? mfa.prompt : 'Answer';
      const answer = h('input', {
        class: 'plaid-sim-input',
        type: 'text',
        name: 'answer',
        autocomplete: isCode ? 'one-time-code' : 'off',
        inputmode: isCode ? 'numeric' : null,
        autocapitalize: 'none',
        spellcheck: 'false',
      });
      const submit = this.primaryButton('Submit', { type: 'submit' });
      const form = h(
        'form',
        { class: 'plaid-sim-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.submitMfa(form, submit, slot, answer); } },
        this.field(label, answer, this.uid + '-answer'),
        h('div', { class: 'plaid-sim-actions' }, submit),
      );
      const showPrompt = mfa.prompt && label !== mfa.prompt;
      const fallback = isCode ? 'Enter the code sent to your device.' : 'Answer the question to continue.';
      const content = h(
        'div',
        { class: 'plaid-sim-step' },
        this.institutionHeader(),
        this.title('Verify your identity'),
        h('p', { class: 'plaid-sim-text plaid-sim-prompt', text: showPrompt ? mfa.prompt : fallback }),
        slot,
        form,
      );
      const status = isCode ? 'requires_code' : mfa.type === 'selections' ? 'requires_selections' : 'requires_questions';
      this.render('MFA', status, content, answer);
    }

    async submitMfa(form, submit, slot, answer) {
      if (this.busy) return;
      if (!answer.value.trim()) {
        this.showAlert(slot, this.mfa.type === 'code' || this.mfa.type === 'device' ? 'Enter the code.' : 'Enter your answer.');
        answer.focus();
        return;
      }
      this.emit('SUBMIT_MFA', { view_name: 'MFA', mfa_type: this.mfa.type });
      this.setBusy(form, submit, true);
      let data;
      try {
        data = await this.request('/link/mfa', { link_token: this.token, link_session_id: this.linkSessionId, answer: answer.value });
      } catch (err) {
        this.setBusy(form, submit, false);
        this.reportError(err, slot);
        if (this.view === 'MFA') {
          answer.value = '';
          answer.focus();
        }
        return;
      }
      if (!data) return;
      this.next(data, slot, form, submit);
    }

    // 4. Account selection ---------------------------------------------------------------------

    showAccounts() {
      const inst = this.institution;
      const slot = this.alertSlot();
      const boxes = [];
      const items = this.accounts.map((a, i) => {
        const box = h('input', { type: 'checkbox', class: 'plaid-sim-checkbox', value: String(a.id), checked: a.selected !== false, id: this.uid + '-account-' + i });
        boxes.push(box);
        return h(
          'li',
          { class: 'plaid-sim-account-item' },
          h(
            'label',
            { class: 'plaid-sim-account', for: box.id },
            box,
            h(
              'span',
              { class: 'plaid-sim-account-text' },
              h('span', { class: 'plaid-sim-account-name', text: accountLabel(a) }),
              ' ',
              a.subtype || a.type ? h('span', { class: 'plaid-sim-account-subtype', text: String(a.subtype || a.type) }) : null,
            ),
          ),
        );
      });
      const submit = this.primaryButton('Continue', { type: 'submit', disabled: boxes.length === 0 });
      const form = h(
        'form',
        { class: 'plaid-sim-form plaid-sim-form--grow', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.submitAccounts(form, submit, slot, boxes); } },
        h(
          'fieldset',
          { class: 'plaid-sim-fieldset' },
          h('legend', { class: 'plaid-sim-visually-hidden', text: 'Accounts' }),
          h('ul', { class: 'plaid-sim-accounts' }, items),
        ),
        h('div', { class: 'plaid-sim-actions' }, submit),
      );
      form.addEventListener('change', () => {
        submit.disabled = !boxes.some((b) => b.checked);
      });
      const content = h(
        'div',
        { class: 'plaid-sim-step' },
        this.title('Select accounts'),
        h('p', { class: 'plaid-sim-text', text: inst ? 'Choose the ' + inst.name + ' accounts you want to share.' : 'Choose the accounts you want to share.' }),
        slot,
        form,
      );
      this.render('SELECT_ACCOUNT', 'requires_account_selection', content, boxes[0] || submit);
    }

    async submitAccounts(form, submit, slot, boxes) {
      if (this.busy || submit.disabled) return;
      const ids = boxes.filter((b) => b.checked).map((b) => b.value);
      if (!ids.length) return;
      // Keep the ids' original types (the server sent them; numbers stay numbers).
      const byId = new Map(this.accounts.map((a) => [String(a.id), a.id]));
      const accountIds = ids.map((id) => (byId.has(id) ? byId.get(id) : id));
      this.setBusy(form, submit, true);
      for (const b of boxes) b.disabled = true;
      let data;
      try {
        data = await this.request('/link/complete', { link_token: this.token, link_session_id: this.linkSessionId, account_ids: accountIds });
      } catch (err) {
        for (const b of boxes) b.disabled = false;
        this.setBusy(form, submit, false);
        this.reportError(err, slot);
        if (this.view === 'SELECT_ACCOUNT') submit.focus();
        return;
      }
      if (!data) return;
      this.lastError = null;
      this.publicToken = data.public_token || null;
      const chosen = new Set(ids);
      this.linkedAccounts = Array.isArray(data.accounts) ? data.accounts : this.accounts.filter((a) => chosen.has(String(a.id)));
      const inst = normInstitution(data.institution);
      if (inst && inst.institution_id) {
        this.institution = { ...(this.institution || {}), institution_id: inst.institution_id, name: inst.name || (this.institution && this.institution.name) || '' };
      }
      this.showConnected();
    }

    // 5. Success -------------------------------------------------------------------------------

    showConnected() {
      const name = this.institution ? this.institution.name : 'Your bank';
      const button = this.primaryButton('Continue', { onclick: () => this.finishSuccess() });
      const content = h(
        'div',
        { class: 'plaid-sim-step plaid-sim-step--center' },
        h('div', { class: 'plaid-sim-hero' }, h('span', { class: 'plaid-sim-badge plaid-sim-badge--success' }, icon('check'))),
        this.title('Success'),
        h('p', { class: 'plaid-sim-text', text: name + ' is linked' }),
        h('div', { class: 'plaid-sim-actions' }, button),
      );
      this.render('CONNECTED', null, content, button);
    }

    // 6. OAuth ---------------------------------------------------------------------------------

    showOAuth() {
      const inst = this.institution;
      const slot = this.alertSlot();
      const button = this.primaryButton('Continue', { onclick: () => this.startOAuth(button, slot) });
      const content = h(
        'div',
        { class: 'plaid-sim-step plaid-sim-step--center' },
        h(
          'div',
          { class: 'plaid-sim-hero plaid-sim-handoff' },
          h('span', { class: 'plaid-sim-badge plaid-sim-badge--app' }, icon('lock')),
          h('span', { class: 'plaid-sim-handoff-dots', 'aria-hidden': 'true' }, icon('arrow')),
          logo(inst, 'plaid-sim-logo--large'),
        ),
        this.title('You will be sent to ' + inst.name + ' to log in'),
        h('p', { class: 'plaid-sim-text', text: 'Log in on ' + inst.name + '\u2019s site. You will come back here to finish.' }),
        slot,
        h('div', { class: 'plaid-sim-actions' }, button),
      );
      this.render('OAUTH', 'requires_oauth', content, button);
    }

    async startOAuth(button, slot) {
      if (this.busy) return;
      this.busy = true;
      button.classList.add('plaid-sim-button--busy');
      button.setAttribute('aria-disabled', 'true');
      let data;
      try {
        data = await this.request('/link/oauth/start', {
          link_token: this.token,
          link_session_id: this.linkSessionId,
          institution_id: this.institution.institution_id,
        });
      } catch (err) {
        this.busy = false;
        button.classList.remove('plaid-sim-button--busy');
        button.removeAttribute('aria-disabled');
        this.reportError(err, slot);
        if (this.view === 'OAUTH') button.focus();
        return;
      }
      if (!data) return;
      if (!data.oauth_url) {
        this.busy = false;
        button.classList.remove('plaid-sim-button--busy');
        button.removeAttribute('aria-disabled');
        this.reportError(plaidError('API_ERROR', 'INTERNAL_SERVER_ERROR', 'the simulator sent no oauth_url', null, data.request_id), slot);
        return;
      }
      this.emit('OPEN_OAUTH', { view_name: 'OAUTH' });
      this.backButton.hidden = true;
      window.location.href = data.oauth_url;
    }

    // 7. Coming back from OAuth ------------------------------------------------------------------

    async resume(uri, gen) {
      let data;
      try {
        data = await this.request('/link/oauth/resume', { link_token: this.token, received_redirect_uri: uri });
      } catch (err) {
        if (gen !== this.gen) return;
        this.status = 'requires_oauth';
        this.emit('OPEN');
        this.fail(err);
        return;
      }
      if (!data || gen !== this.gen) return;
      this.linkSessionId = data.link_session_id || null;
      this.institution = normInstitution(data.institution);
      this.status = 'requires_oauth';
      if (data.next === 'done') this.mode = 'update';
      this.emit('OPEN');
      this.next(data, null, null, null);
    }

    // 9. Errors ----------------------------------------------------------------------------------

    showError(err) {
      const button = this.primaryButton('Exit', { onclick: () => this.finishExit() });
      const content = h(
        'div',
        { class: 'plaid-sim-step plaid-sim-step--center' },
        h('div', { class: 'plaid-sim-hero' }, h('span', { class: 'plaid-sim-badge plaid-sim-badge--error' }, icon('alert'))),
        this.title('Something went wrong'),
        h('p', { class: 'plaid-sim-text plaid-sim-error-message', role: 'alert', text: messageOf(err) }),
        err.error_code ? h('p', { class: 'plaid-sim-code', text: 'Error code: ' + err.error_code }) : null,
        h('div', { class: 'plaid-sim-actions' }, button),
      );
      this.render('ERROR', null, content, button);
    }
  }

  // ---------------------------------------------------------------------------------------------

  function create(config) {
    const link = new Link(config);
    return {
      open: () => link.open(),
      exit: (opts) => link.exit(opts),
      destroy: () => link.destroy(),
      submit: () => {},
    };
  }

  window.Plaid = { create, version: 'tally-simulator', __tallySimulator: true };
})();
