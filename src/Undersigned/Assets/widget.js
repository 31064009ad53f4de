/* Undersigned signature widget. Script mode: <script src="BASE/widget.js" data-letter="SLUG" async></script>.
   Renders inside a Shadow DOM; no cookies, no storage, no third parties. Attributes: data-lang (the language to show:
   the letter's text where it has that translation, the widget's words where the service has a file for it; without it,
   the browser's languages choose among the letter's), a switcher offers the letter's other languages,
   data-accent (a CSS colour); or set --undersigned-accent / --undersigned-text / --undersigned-background on the host.
   data-mode="form" shows only the form (the letter page shows the letter itself); data-partner="code" says which
   partner's site it is on (its signatures are attributed to that partner). */
(() => {
  'use strict';
  // Each language's words, from the service's language files (Languages/*.json, keys "widget.*"), put in when served.
  const T = /*WORDS*/{};
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (whole, name) => name in values ? values[name] : whole);
  const CSS = `
:host { display: block; font: inherit; color: var(--undersigned-text, #1a1a1a); }
.w { border: 1px solid #8a8a8a; border-radius: .5rem; padding: 1rem; background: var(--undersigned-background, #fff); max-width: 40rem; }
.w.form-only { border: 0; padding: 0; }
h2 { margin: 0 0 .25rem; font-size: 1.25em; } p { margin: .4rem 0; } .meta { color: #444; font-size: .95em; }
.count { font-weight: 700; } details { margin: .5rem 0; } summary { cursor: pointer; color: var(--undersigned-accent, #0b4f8a); }
fieldset { border: 0; padding: 0; margin: .5rem 0; } legend { font-weight: 600; margin-block-end: .25rem; }
label { display: block; margin: .5rem 0 .15rem; font-weight: 600; } label.inline { display: inline; font-weight: 400; margin-block: 0; margin-inline: .25rem 1rem; }
.languages { display: flex; gap: .5rem; align-items: center; justify-content: flex-end; margin-block-end: .5rem; } .languages label { display: inline; margin: 0; }
select { font: inherit; padding: .3rem; border: 1px solid #6b6b6b; border-radius: .3rem; max-width: 100%; }
input[type=text], input[type=email] { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; border: 1px solid #6b6b6b; border-radius: .3rem; }
input[aria-invalid=true] { border: 2px solid #b3261e; } .error { color: #b3261e; font-size: .9em; margin: .15rem 0 0; }
.check { display: flex; gap: .5rem; align-items: flex-start; margin: .6rem 0; } .check label { display: inline; font-weight: 400; margin: 0; }
button { font: inherit; font-weight: 600; padding: .6rem 1.2rem; border-radius: .4rem; border: 2px solid var(--undersigned-accent, #0b4f8a);
  background: var(--undersigned-accent, #0b4f8a); color: #fff; cursor: pointer; margin-block-start: .5rem; }
button[disabled] { opacity: .6; cursor: default; }
:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
.status { margin-block-start: .75rem; font-weight: 600; } .privacy { font-size: .9em; color: #444; margin: .25rem 0 .6rem; }
.privacy a { color: var(--undersigned-accent, #0b4f8a); }
.summary { border: 3px solid #b3261e; padding: .5rem 1rem; margin-block-end: .75rem; } .summary h3 { margin: 0 0 .25rem; font-size: 1.1em; }
.summary ul { margin: 0; padding-inline-start: 1.2rem; } .summary a { color: #b3261e; font-weight: 600; } .hp { position: absolute; inset-inline-start: -10000px; width: 1px; height: 1px; overflow: hidden; }
.text, h2, .meta, .latest { overflow-wrap: anywhere; }`;
  let instances = 0;

  function esc(text) { const d = document.createElement('div'); d.textContent = text == null ? '' : String(text); return d.innerHTML; }

  async function leadingZeroBits(text) {
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
    let bits = 0;
    for (const b of hash) { if (b === 0) { bits += 8; continue; } return bits + Math.clz32(b) - 24; }
    return bits;
  }

  /* Proof of work on the page itself (a host's CSP may forbid blob: workers), in small slices so the page stays responsive. */
  async function solve(challenge, difficulty) {
    for (let nonce = 0; ; nonce += 256) {
      const tries = [];
      for (let i = 0; i < 256; i++) tries.push(leadingZeroBits(challenge + ':' + (nonce + i)).then(bits => bits >= difficulty ? nonce + i : -1));
      const found = (await Promise.all(tries)).find(n => n >= 0);
      if (found !== undefined) return challenge + ':' + found;
    }
  }

  async function mount(script) {
    script.dataset.undersignedMounted = '1';
    const slug = script.dataset.letter, base = new URL(script.src, location.href).origin;
    const wanted = (script.dataset.lang || '').toLowerCase();
    // The widget's own words: the language's file where the service has one (or its base language's), else English.
    const wordsFor = tag => T[(tag || '').toLowerCase()] || T[(tag || '').toLowerCase().split('-')[0]];
    let t = wordsFor(wanted) || T.en;
    const id = 'us' + (++instances);
    const host = document.createElement('div');
    host.className = 'undersigned-widget';
    if (script.dataset.accent) host.style.setProperty('--undersigned-accent', script.dataset.accent);
    script.parentNode.insertBefore(host, script.nextSibling);
    const root = host.attachShadow({ mode: 'open' });
    // A constructed style sheet passes a host's strict style-src (the letter page's too); a <style> element where there is none.
    if ('adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      const style = document.createElement('style');
      style.textContent = CSS;
      root.appendChild(style);
    }
    const box = document.createElement('div');
    box.className = 'w';
    root.appendChild(box);
    const api = path => base + '/api/public' + path;
    // The browser revalidates (a cheap 304 by ETag) so a signer sees their count; shared caches still absorb a spike.
    const load = async lang => {
      const response = await fetch(api('/letters/' + encodeURIComponent(slug) + (lang ? '?lang=' + encodeURIComponent(lang) : '')),
        { credentials: 'omit', cache: 'no-cache' });
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    };
    // data-lang where the letter has it, else the first of the browser's languages it has (or their base language), else its own.
    const pick = languages => {
      const tags = languages.map(l => l.language.toLowerCase());
      for (const want of [wanted, ...(navigator.languages || [navigator.language])].filter(Boolean).map(l => l.toLowerCase())) {
        const found = tags.indexOf(want) >= 0 ? tags.indexOf(want) : tags.findIndex(tag => tag.split('-')[0] === want.split('-')[0]);
        if (found >= 0) return languages[found].language;
      }
      return languages[0].language;
    };

    let letter;
    try {
      letter = await load(wanted);
      const chosen = pick(letter.languages);
      if (chosen !== letter.language) letter = await load(chosen);
    } catch {
      box.innerHTML = '<p role="alert">' + esc(t.network) + '</p>';
      return;
    }
    if (!wordsFor(wanted)) t = wordsFor(letter.language) || T.en;
    render();

    // What the signer typed and ticked survives a change of language; the new language's text and words replace the rest.
    async function switchTo(language) {
      let next;
      try { next = await load(language); } catch { box.querySelector('.status').textContent = t.network; return; }
      const form = box.querySelector('form');
      const kept = form ? [...form.elements].filter(e => e.name).map(e => [e.id, e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value]) : [];
      letter = next;
      t = wordsFor(letter.language) || T.en;
      render();
      for (const [elementId, value] of kept) {
        const element = elementId && root.getElementById(elementId);
        if (!element) continue;
        if (typeof value === 'boolean') element.checked = value; else element.value = value;
      }
      const kind = box.querySelector('input[name=kind]:checked');
      if (kind) kind.dispatchEvent(new Event('change'));
      const select = root.getElementById(id + '-lang');
      if (select) select.focus();
    }

    function render() {
      // The letter's language and direction: an Arabic or Farsi letter lays out right to left, form and all.
      box.setAttribute('lang', letter.language);
      box.setAttribute('dir', letter.direction || 'ltr');
      // Dates come written by the server, in the language's words on the Gregorian calendar: a browser may lack the language's.
      const dates = letter.dates || {};
      // In form mode the page around it (the letter page) has the one language switcher.
      const formOnly = script.dataset.mode === 'form';
      const switcher = formOnly || (letter.languages || []).length < 2 ? '' :
        '<div class="languages"><label for="' + id + '-lang">' + esc(t.language) + '</label><select id="' + id + '-lang">' +
        letter.languages.map(l => '<option value="' + esc(l.language) + '" lang="' + esc(l.language) + '"' + (l.language === letter.language ? ' selected' : '') + '>' + esc(l.name) + '</option>').join('') +
        '</select></div>';
      // bodyHtml is sanitised by the server: no script, no event handlers, no javascript: links.
      if (formOnly) box.classList.add('form-only');
      box.innerHTML = switcher + (formOnly ? '' :
        '<h2>' + esc(letter.title) + '</h2>' +
        '<p class="meta">' + esc(t.to) + ': ' + esc(letter.target) + '<br>' + esc(t.deadline) + ': ' + esc(dates.closesAt) + '</p>' +
        '<p class="count" aria-live="polite">' + esc(letter.countText) + '</p>' +
        (letter.outcomes && letter.outcomes.length ? '<p class="latest">' + esc(t.latest) + ': ' + esc(letter.outcomes[0].title) + '</p>' : '') +
        '<details><summary>' + esc(t.read) + '</summary><div class="text">' + letter.bodyHtml + '</div></details>') +
        '<div class="body"></div><p class="status" role="status" aria-live="polite"></p>';
      const body = box.querySelector('.body'), status = box.querySelector('.status');
      const select = root.getElementById(id + '-lang');
      if (select) select.addEventListener('change', () => switchTo(select.value));
      // Only a partner the letter has: an unknown code is ignored here, as the server would refuse it.
      const partner = (letter.partners || []).find(p => p.code === script.dataset.partner);
      if (letter.status === 'scheduled') { status.textContent = fill(t.opens, { at: dates.opensAt }); return; }
      if (letter.status !== 'open') { status.textContent = t.closed; return; }

      const field = (name, label, type = 'text', autocomplete = '') =>
        '<div class="f-' + name + '"><label for="' + id + '-' + name + '">' + esc(label) + '</label>' +
        '<input id="' + id + '-' + name + '" name="' + name + '" type="' + type + '"' + (autocomplete ? ' autocomplete="' + autocomplete + '"' : '') +
        ' aria-describedby="' + id + '-' + name + '-error"><p class="error" id="' + id + '-' + name + '-error"></p></div>';
      body.innerHTML =
        '<form novalidate><div class="summary" id="' + id + '-summary" role="alert" tabindex="-1" hidden><h3></h3><ul></ul></div>' +
        '<fieldset><legend>' + esc(t.as) + '</legend>' +
        '<input type="radio" id="' + id + '-kind-individual" name="kind" value="individual" checked><label class="inline" for="' + id + '-kind-individual">' + esc(t.individual) + '</label>' +
        '<input type="radio" id="' + id + '-kind-organisation" name="kind" value="organisation"><label class="inline" for="' + id + '-kind-organisation">' + esc(t.organisation) + '</label>' +
        '<p class="error" id="' + id + '-kind-error"></p></fieldset>' +
        field('organisation', t.orgOptional, 'text', 'organization') + field('name', t.name, 'text', 'name') + field('role', t.role, 'text', 'organization-title') +
        field('email', t.email, 'email', 'email') +
        '<div class="check"><input type="checkbox" id="' + id + '-showName" name="showName" checked><label for="' + id + '-showName">' + esc(t.show) + '</label></div>' +
        '<div class="check"><input type="checkbox" id="' + id + '-consent" name="consent" aria-describedby="' + id + '-consent-error ' + id + '-privacy"><label for="' + id + '-consent">' + esc(letter.consentText) + '</label></div>' +
        '<p class="error" id="' + id + '-consent-error"></p>' +
        // Who holds the data, why, for how long, and how to ask what is held: beside the box, before anyone ticks it.
        '<p class="privacy" id="' + id + '-privacy">' + esc(fill(t.privacy, { organisation: letter.organisation || t.organisers, date: dates.updatesUntil })) +
        ' <a href="' + base + '/privacy?lang=' + encodeURIComponent(t.tag) + '" target="_blank" rel="noopener">' + esc(t.rights) + '</a></p>' +
        (partner && partner.askContactConsent
          ? '<div class="check"><input type="checkbox" id="' + id + '-partnerConsent" name="partnerConsent"><label for="' + id + '-partnerConsent">' + esc(fill(t.partner, { partner: partner.name })) + '</label></div>'
          : '') +
        '<div class="check"><input type="checkbox" id="' + id + '-updates" name="updates"><label for="' + id + '-updates">' +
        esc(fill(t.updates, { until: dates.updatesUntil })) +
        '</label></div>' +
        '<div class="hp" aria-hidden="true"><label for="' + id + '-website">Website</label><input id="' + id + '-website" name="website" tabindex="-1" autocomplete="off"></div>' +
        '<button type="submit">' + esc(t.sign) + '</button></form>';
      const form = body.querySelector('form'), button = form.querySelector('button');
      const el = name => form.elements.namedItem(name); // not form.name: forms have a name (and a role) of their own
      const kindChanged = () => {
        const organisation = el('kind').value === 'organisation';
        form.querySelector('label[for="' + id + '-organisation"]').textContent = organisation ? t.org : t.orgOptional;
        form.querySelector('label[for="' + id + '-name"]').textContent = organisation ? t.contact : t.name;
      };
      form.querySelectorAll('input[name=kind]').forEach(r => r.addEventListener('change', kindChanged));

      // Each field's message beside it, and a summary at the top of the form (in the server's words, in the signer's
      // language) whose links take the focus to each field; the focus moves to the summary, so it is read out first.
      const summary = root.getElementById(id + '-summary');
      const showErrors = (errors, title) => {
        form.querySelectorAll('.error').forEach(e => { e.textContent = ''; });
        form.querySelectorAll('[aria-invalid]').forEach(e => e.removeAttribute('aria-invalid'));
        const list = summary.querySelector('ul'), items = [];
        for (const error of errors) {
          const name = error.name === 'showName' ? 'consent' : error.name;
          const message = root.getElementById(id + '-' + name + '-error');
          const input = root.getElementById(id + '-' + name) || form.querySelector('input[name=kind]');
          if (!message) continue;
          message.textContent += (message.textContent ? ' ' : '') + error.reason;
          if (!input) continue;
          input.setAttribute('aria-invalid', 'true');
          const link = document.createElement('a');
          link.href = '#' + input.id;
          link.textContent = error.reason;
          link.addEventListener('click', e => { e.preventDefault(); input.focus(); }); // ids inside a shadow root are not the page's
          const item = document.createElement('li');
          item.appendChild(link);
          items.push([input, item]);
        }
        // In the form's order, as the fields are met.
        items.sort(([a], [b]) => a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1);
        list.replaceChildren(...items.map(([, item]) => item));
        summary.querySelector('h3').textContent = title || '';
        summary.hidden = list.children.length === 0;
        if (!summary.hidden) summary.focus();
      };

      let challenge = null;
      const submit = async () => {
        const data = {
          kind: el('kind').value, name: el('name').value, role: el('role').value, organisation: el('organisation').value,
          email: el('email').value, showName: el('showName').checked, consent: el('consent').checked, textVersion: letter.textVersion,
          language: letter.language, website: el('website').value, updates: el('updates').checked,
        };
        if (partner) {
          data.partner = partner.code;
          if (partner.askContactConsent) data.partnerConsent = el('partnerConsent').checked;
        }
        if (challenge) data.challenge = challenge;
        button.disabled = true;
        status.textContent = t.sending;
        let response;
        try {
          if (!challenge && letter.challenge === 'on') {
            status.textContent = t.solving;
            const issued = await (await fetch(api('/challenge?letter=' + encodeURIComponent(slug)), { credentials: 'omit' })).json();
            data.challenge = challenge = await solve(issued.challenge, issued.difficulty);
          }
          response = await fetch(api('/letters/' + encodeURIComponent(slug) + '/signatures'),
            { method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data) });
        } catch {
          button.disabled = false;
          status.textContent = t.network;
          return;
        }
        challenge = null; // a solution works once
        if (response.status === 202) { form.remove(); showErrors([]); status.textContent = t.done; return; }
        const problem = await response.json().catch(() => ({}));
        button.disabled = false;
        const errors = problem.errors || [];
        if (errors.some(e => e.name === 'challenge')) { letter.challenge = 'on'; return submit(); }
        if (errors.some(e => e.name === 'textVersion')) { status.textContent = t.stale; return; }
        if (response.status === 400) { showErrors(errors, problem.detail); status.textContent = t.fix; return; }
        showErrors([]);
        status.textContent = response.status === 410 ? t.closed : response.status === 429 || response.status === 503 ? t.busy : problem.detail || t.failed;
      };
      form.addEventListener('submit', e => { e.preventDefault(); submit(); });

    }

    if (script.dataset.mode === 'iframe' && window.parent !== window) {
      // The content's own height: the document's scroll height is never less than the frame's, so a frame would never shrink.
      const post = () => window.parent.postMessage({ type: 'undersigned:height', letter: slug, height: Math.ceil(document.body.getBoundingClientRect().height) }, '*');
      new ResizeObserver(post).observe(document.body);
      post();
    }
  }

  // Only tags that load this very script, from this service: another origin's widget.js (or one posing as it) is not ours to
  // mount, and its letter's HTML is not ours to put into the page.
  const own = document.currentScript && new URL(document.currentScript.src, location.href);
  document.querySelectorAll('script[data-letter]:not([data-undersigned-mounted])').forEach(s => {
    const src = s.src && new URL(s.src, location.href);
    if (own && src && src.origin === own.origin && src.pathname === own.pathname) mount(s);
  });
})();
