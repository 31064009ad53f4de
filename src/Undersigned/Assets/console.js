// The Undersigned staff console. Everything it does goes through the API with a session token that this tab keeps in
// sessionStorage: never the key, never localStorage, never a cookie. Signers' text only ever becomes text nodes
// (h() below): the page's Trusted Types policy makes any string-to-HTML assignment throw, except the letter preview,
// which is the server's sanitised HTML shown in a frame sandboxed without scripts.
const TOKEN = 'undersigned.session';
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const previewPolicy = window.trustedTypes ? trustedTypes.createPolicy('undersigned-preview', { createHTML: html => html }) : null;
let me = null;

class SignedOut extends Error {}

/** An element with attributes, listeners (on…) and children; strings become text nodes, never HTML. */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'text') el.textContent = value;
    else if (name === 'value' || name === 'checked') el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child != null && child !== false) el.append(child instanceof Node ? child : String(child));
  return el;
}

async function api(method, path, { body, headers = {}, raw = false } = {}) {
  const token = sessionStorage.getItem(TOKEN);
  const init = { method, headers: { ...headers }, credentials: 'omit', cache: 'no-store' };
  if (token) init.headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) {
    init.headers['Content-Type'] ??= 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401 && token) {
    signOut('Your session has ended: sessions last 8 hours and end when their key is revoked. Sign in again.');
    throw new SignedOut();
  }
  if (raw) return response;
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, data, etag: response.headers.get('ETag') };
}

/** An RFC 9457 problem as a list a person can act on: what went wrong, then each field named. */
function problem(data) {
  const box = h('div', { class: 'problem' }, h('p', { text: data?.detail || 'Something went wrong.' }));
  if (data?.errors?.length) box.append(h('ul', {}, data.errors.map(e => h('li', {}, h('code', { text: e.name }), ': ' + e.reason))));
  return box;
}

function report(region, result, done) {
  region.replaceChildren(result.ok ? h('p', { class: 'done', text: done }) : problem(result.data));
}

let fields = 0;
function field(label, input, hint) {
  input.id ||= 'field' + (++fields);
  const parts = [h('label', { for: input.id, text: label }), input];
  if (hint) {
    const hintId = input.id + '-hint';
    input.setAttribute('aria-describedby', hintId);
    parts.push(h('p', { class: 'hint', id: hintId, text: hint }));
  }
  return h('div', { class: 'field' }, parts);
}

function select(name, options, value) {
  return h('select', { name }, options.map(o => h('option', { value: o, selected: o === value, text: o })));
}

function show(title, ...content) {
  main.replaceChildren(h('h1', { text: title }), ...content.filter(c => c != null && c !== false));
  document.title = title + ' · Undersigned console';
}

function when(iso, zone) {
  if (!iso) return '';
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone || 'UTC' }).format(new Date(iso)) +
    (zone ? ' (' + zone + ')' : ' UTC');
}

/** The wall-clock time of an instant in a zone, as a datetime-local input takes it. */
function wallOf(iso, zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(iso)).map(p => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** A datetime-local value read as the letter's zone's clock (not the browser's), as an ISO instant. */
function instantOf(wall, zone) {
  if (!wall) return null;
  const target = Date.parse(wall + ':00Z');
  let t = target;
  for (let i = 0; i < 2; i++) t += target - Date.parse(wallOf(new Date(t).toISOString(), zone) + ':00Z');
  return new Date(t).toISOString();
}

function table(caption, headings, rows) {
  return h('div', { class: 'scroll', role: 'region', 'aria-label': caption, tabindex: 0 },
    h('table', {}, h('caption', { text: caption }), h('thead', {}, h('tr', {}, headings.map(t => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, rows)));
}

function copyable(label, text) {
  const area = h('textarea', { readonly: true, rows: Math.min(6, text.split('\n').length + 1), value: text });
  const status = h('span', { role: 'status' });
  return h('div', { class: 'copyable' }, field(label, area),
    h('button', { type: 'button', text: 'Copy', onclick: async () => {
      try { await navigator.clipboard.writeText(text); status.textContent = 'Copied.'; } catch { area.select(); status.textContent = 'Selected: press Ctrl+C.'; }
    } }), status);
}

async function download(path, region) {
  const response = await api('GET', path, { raw: true });
  if (!response.ok) return region.replaceChildren(problem(await response.json().catch(() => null)));
  // RFC 6266: filename* (UTF-8, percent-encoded) where given, else filename.
  const disposition = response.headers.get('Content-Disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const name = (star && decodeURIComponent(star)) || /filename="?([^";]+)"?/.exec(disposition)?.[1] || path.split('/').pop();
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  region.replaceChildren(h('p', { class: 'done', text: 'Downloaded ' + name + '.' }));
}

// Signing in and out -------------------------------------------------------------------------------------------------

function signOut(message) {
  sessionStorage.removeItem(TOKEN);
  me = null;
  signInView(message);
}

function signInView(message) {
  nav.hidden = true;
  nav.replaceChildren();
  const key = h('input', { type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', required: true });
  const result = h('div', { role: 'alert' });
  const form = h('form', { novalidate: true, onsubmit: async e => {
    e.preventDefault();
    const response = await api('POST', '/api/sessions', { body: { key: key.value } });
    key.value = '';
    if (!response.ok) return result.replaceChildren(problem(response.data));
    sessionStorage.setItem(TOKEN, response.data.token);
    if (location.hash === '' || location.hash === '#/') location.hash = '#/letters'; // its hashchange routes
    else route();
  } }, field('API key', key, 'Used once to sign in. This tab then keeps an 8-hour session, never the key.'),
  h('button', { type: 'submit', text: 'Sign in' }));
  show('Sign in', message ? h('p', { class: 'notice', role: 'status', text: message }) : null, form, result);
  key.focus();
}

function renderNav() {
  const links = [['#/letters', 'Letters'], ['#/letters/new', 'New letter']];
  if (me.role === 'admin') links.push(['#/keys', 'Keys'], ['#/audit', 'Audit trail'], ['#/health', 'Health'], ['#/pause', 'Pause signing']);
  nav.replaceChildren(h('ul', {}, links.map(([href, text]) => h('li', {}, h('a', { href, text }))),
    h('li', { class: 'who' }, 'Signed in as ', h('strong', { text: me.name }), ' (' + me.role + ') ',
      h('button', { type: 'button', class: 'link', text: 'Sign out', onclick: async () => {
        await api('DELETE', '/api/sessions/current').catch(() => {});
        signOut('You have signed out.');
      } }))));
  nav.hidden = false;
}

// Letters --------------------------------------------------------------------------------------------------------------

async function lettersView() {
  const rows = [];
  const body = h('tbody');
  const more = h('button', { type: 'button', text: 'More letters', hidden: true });
  let cursor = null;
  const load = async () => {
    const response = await api('GET', '/api/letters?limit=50' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    for (const l of response.data.items)
      body.append(h('tr', {}, h('td', {}, h('a', { href: '#/letters/' + l.id, text: l.title })), h('td', { text: l.status }),
        h('td', { text: l.counts.confirmed ?? 0 }), h('td', { text: l.counts.review ?? 0 }), h('td', { text: when(l.closesAt, l.timeZone) })));
    cursor = response.data.nextCursor;
    more.hidden = !cursor;
  };
  more.addEventListener('click', load);
  const list = table('Letters, newest first', ['Title', 'Status', 'Confirmed', 'In review', 'Closes'], rows);
  list.querySelector('table').replaceChild(body, list.querySelector('tbody'));
  show('Letters', h('p', {}, h('a', { href: '#/letters/new', class: 'button', text: 'New letter' })), list, more);
  await load();
}

const letterInputs = letter => {
  const zone = letter?.timeZone || 'Europe/London';
  const draft = !letter || letter.status === 'draft';
  return {
    title: h('input', { name: 'title', value: letter?.title ?? '' }),
    target: h('input', { name: 'target', value: letter?.target ?? '' }),
    body: h('textarea', { name: 'body', rows: 12, value: letter?.body ?? '' }),
    slug: h('input', { name: 'slug', value: letter?.slug ?? '', disabled: !draft }),
    timeZone: h('input', { name: 'timeZone', value: zone, list: 'time-zones' }),
    opensAt: h('input', { name: 'opensAt', type: 'datetime-local', value: letter?.opensAt ? wallOf(letter.opensAt, zone) : '' }),
    closesAt: h('input', { name: 'closesAt', type: 'datetime-local', value: letter?.closesAt ? wallOf(letter.closesAt, zone) : '' }),
    moderation: select('moderation', ['none', 'organisations', 'all'], letter?.moderation ?? 'none'),
    allowedOrigins: h('textarea', { name: 'allowedOrigins', rows: 3, value: (letter?.allowedOrigins ?? []).join('\n') }),
    retainContactDays: h('input', { name: 'retainContactDays', type: 'number', min: 1, max: 3650, value: letter?.retainContactDays ?? '' }),
    challenge: select('challenge', ['off', 'auto', 'on'], letter?.challenge ?? 'off'),
    consentText: h('textarea', { name: 'consentText', rows: 3, value: letter?.consentText ?? '' }),
    milestones: h('input', { name: 'milestones', inputmode: 'numeric', value: (letter?.milestones ?? []).join(', ') }),
    notifyEmail: h('input', { name: 'notifyEmail', type: 'email', value: letter?.notifyEmail ?? '' }),
    language: h('input', { name: 'language', value: letter?.language ?? 'en', disabled: !draft, autocomplete: 'off' }),
  };
};

function letterValues(inputs) {
  const zone = inputs.timeZone.value.trim();
  const text = input => input.value.trim() === '' ? null : input.value;
  return {
    title: text(inputs.title), target: text(inputs.target), body: text(inputs.body), slug: inputs.slug.disabled ? undefined : text(inputs.slug),
    timeZone: zone || null, opensAt: instantOf(inputs.opensAt.value, zone), closesAt: instantOf(inputs.closesAt.value, zone),
    moderation: inputs.moderation.value, allowedOrigins: inputs.allowedOrigins.value.split('\n').map(s => s.trim()).filter(Boolean),
    retainContactDays: inputs.retainContactDays.value === '' ? null : Number(inputs.retainContactDays.value),
    challenge: inputs.challenge.value, consentText: text(inputs.consentText),
    milestones: inputs.milestones.value.split(/[\s,]+/).filter(Boolean).map(Number), notifyEmail: text(inputs.notifyEmail),
    language: inputs.language.disabled ? undefined : text(inputs.language),
  };
}

function letterForm(inputs, submitText, onSubmit) {
  const frame = h('iframe', { sandbox: '', title: 'Preview of the letter as published', class: 'preview', hidden: true });
  const previewStatus = h('div', { role: 'status' });
  const preview = async () => {
    const response = await api('POST', '/api/markdown/preview', { body: { body: inputs.body.value } });
    if (!response.ok) return previewStatus.replaceChildren(problem(response.data));
    previewStatus.replaceChildren();
    frame.srcdoc = previewPolicy ? previewPolicy.createHTML(response.data.html) : response.data.html;
    frame.hidden = false;
  };
  const zones = h('datalist', { id: 'time-zones' }, (Intl.supportedValuesOf?.('timeZone') ?? []).map(z => h('option', { value: z })));
  return h('form', { novalidate: true, onsubmit: e => { e.preventDefault(); onSubmit(); } },
    field('Language (a BCP 47 tag such as en, cy or ar; changes only while draft)', inputs.language, 'Translations add other languages.'),
    field('Title', inputs.title), field('To (the letter\u2019s target)', inputs.target),
    field('Letter (Markdown)', inputs.body, 'Headings, lists, links and emphasis; raw HTML is not allowed.'),
    h('button', { type: 'button', class: 'secondary', text: 'Preview', onclick: preview }), previewStatus, frame,
    field('Slug (the public address; changes only while draft)', inputs.slug, 'Made from the title when empty.'),
    field('Time zone', inputs.timeZone, 'The times below are on this zone\u2019s clock, as the letter shows them.'), zones,
    field('Signing opens (optional)', inputs.opensAt), field('Signing closes', inputs.closesAt),
    field('Moderation', inputs.moderation, 'Which confirmed signatures wait for review before they are shown.'),
    field('Sites that may embed the widget (one origin per line; empty: any)', inputs.allowedOrigins),
    field('Keep contact details for (days after closing)', inputs.retainContactDays),
    field('Proof-of-work challenge', inputs.challenge), field('Consent wording (empty: the default)', inputs.consentText),
    field('Milestones (confirmed counts, such as 100, 500, 1000)', inputs.milestones, 'Each is announced once, by one email for all passed together.'),
    field('Email milestones to (a staff address)', inputs.notifyEmail),
    h('button', { type: 'submit', text: submitText }));
}

function newLetterView() {
  const inputs = letterInputs(null);
  const result = h('div', { role: 'alert' });
  show('New letter', letterForm(inputs, 'Create the draft', async () => {
    const values = Object.fromEntries(Object.entries(letterValues(inputs)).filter(([, v]) => v != null && !(Array.isArray(v) && v.length === 0)));
    const response = await api('POST', '/api/letters', { body: values });
    if (!response.ok) return result.replaceChildren(problem(response.data));
    location.hash = '#/letters/' + response.data.id;
  }), result);
}

async function editLetterView(id) {
  const read = await api('GET', '/api/letters/' + id);
  if (!read.ok) return show('Letter not found', problem(read.data));
  const letter = read.data, inputs = letterInputs(letter), before = letterValues(inputs);
  const result = h('div', { role: 'alert' });
  show('Edit: ' + letter.title, h('p', {}, h('a', { href: '#/letters/' + id, text: 'Back to the letter' })),
    letterForm(inputs, 'Save changes', async () => {
      const after = letterValues(inputs);
      const patch = Object.fromEntries(Object.entries(after).filter(([k, v]) => v !== undefined && JSON.stringify(v) !== JSON.stringify(before[k])));
      if (Object.keys(patch).length === 0) return result.replaceChildren(h('p', { class: 'done', text: 'Nothing has changed.' }));
      const response = await api('PATCH', '/api/letters/' + id, { body: patch, headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': read.etag } });
      if (response.status === 412) {
        // Never overwrite: say so, and let the person reload (copying out what they want to keep first).
        return result.replaceChildren(h('div', { class: 'problem' },
          h('p', { text: 'Someone else changed this letter since you opened it, so nothing was saved. Reload it to see their version; copy anything of yours you want to keep first.' }),
          h('button', { type: 'button', text: 'Reload the letter', onclick: () => editLetterView(id) })));
      }
      if (!response.ok) return result.replaceChildren(problem(response.data));
      location.hash = '#/letters/' + id;
    }), result);
}

async function letterView(id) {
  const read = await api('GET', '/api/letters/' + id);
  if (!read.ok) return show('Letter not found', problem(read.data));
  const l = read.data, zone = l.timeZone, result = h('div', { role: 'alert' });
  const act = async (method, path, body, done) => {
    const response = await api(method, path, { body });
    report(result, response, done);
    if (response.ok) await letterView(id).then(() => main.querySelector('[role=alert]').replaceChildren(h('p', { class: 'done', text: done })));
  };
  const counts = Object.entries(l.counts).map(([status, n]) => h('li', {}, status + ': ', h('strong', { text: n })));
  const parts = [
    h('dl', { class: 'facts' },
      h('dt', { text: 'Status' }), h('dd', { text: l.status }), h('dt', { text: 'To' }), h('dd', { text: l.target }),
      h('dt', { text: 'Opens' }), h('dd', { text: l.opensAt ? when(l.opensAt, zone) : 'when published' }),
      h('dt', { text: 'Closes' }), h('dd', { text: when(l.closesAt, zone) }),
      h('dt', { text: 'Moderation' }), h('dd', { text: l.moderation }),
      h('dt', { text: 'Text version' }), h('dd', { text: l.textVersion ?? 'draft' }),
      h('dt', { text: 'Language' }), h('dd', { text: l.language })),
    h('h2', { text: 'Signatures' }), h('ul', { class: 'counts' }, counts),
    l.languageCounts?.length ? h('p', {}, 'Confirmed, by language signed in (staff only): ',
      l.languageCounts.map((c, i) => [i ? ', ' : '', c.language + ' ', h('strong', { text: c.confirmed ?? 'fewer than ' + c.fewerThan })])) : null,
    l.milestones.length ? h('p', {}, 'Milestones: ', l.milestones.map((threshold, i) => {
      const reached = l.reachedMilestones.find(m => m.threshold === threshold);
      return [i ? ', ' : '', String(threshold), reached ? ' (reached ' + when(reached.reachedAt, zone) + ')' : ''];
    })) : null,
    h('p', { class: 'actions' }, h('a', { href: '#/letters/' + id + '/signatures', class: 'button', text: 'Signatures and moderation' }),
      h('a', { href: '#/letters/' + id + '/edit', class: 'button secondary', text: 'Edit' }),
      l.status !== 'draft' ? h('a', { href: '/letters/' + l.slug, class: 'button secondary', text: 'Public page' }) : null,
      l.status === 'draft' ? h('button', { type: 'button', text: 'Publish', onclick: () => act('POST', '/api/letters/' + id + '/publish', undefined, 'Published.') }) : null),
    result,
  ];
  parts.push(h('h2', { text: 'Translations' }), await translations(l, () => letterView(id)));
  if (l.status !== 'draft') {
    const closesAt = h('input', { type: 'datetime-local', name: 'closesAt', value: wallOf(l.closesAt, zone) });
    const reason = h('input', { name: 'reason' });
    const closeReason = h('input', { name: 'reason' });
    parts.push(h('h2', { text: 'Deadline' }),
      h('form', { novalidate: true, onsubmit: e => { e.preventDefault(); act('POST', '/api/letters/' + id + '/deadline', { closesAt: instantOf(closesAt.value, zone), reason: reason.value }, 'The deadline has moved.'); } },
        field('New closing time (' + zone + ')', closesAt), field('Reason (kept in the history)', reason), h('button', { type: 'submit', text: 'Move the deadline' })),
      l.status !== 'closed' ? h('form', { novalidate: true, onsubmit: e => { e.preventDefault(); act('POST', '/api/letters/' + id + '/close', { reason: closeReason.value || null }, 'Signing has closed.'); } },
        field('Why close now (optional)', closeReason), h('button', { type: 'submit', class: 'danger', text: 'Close signing now' })) : null,
      table('Deadline history', ['When', 'Change', 'From', 'To', 'Reason'], l.deadlineHistory.map(c => h('tr', {},
        h('td', { text: when(c.changedAt, zone) }), h('td', { text: c.change }), h('td', { text: when(c.oldClosesAt, zone) }),
        h('td', { text: when(c.newClosesAt, zone) }), h('td', { text: c.reason ?? '' })))));

    const timeline = await api('GET', '/api/letters/' + id + '/timeline?interval=day');
    if (timeline.ok && timeline.data.items.length) parts.push(h('h2', { text: 'Signatures by day' }), chart(timeline.data.items, zone));

    parts.push(h('h2', { text: 'Outcomes' }), await outcomes(id, zone, act), h('h2', { text: 'Updates to signers who asked' }), await updates(id, zone, act));

    const downloads = h('div', { role: 'status' });
    const get = path => () => download('/api/letters/' + id + path, downloads);
    parts.push(h('h2', { text: 'Delivery' }),
      h('p', { class: 'actions' }, h('button', { type: 'button', text: 'Signatories (CSV)', onclick: get('/export.csv') }),
        ['pdf', 'html', 'md'].map(f => h('button', { type: 'button', class: 'secondary', text: 'Letter pack (' + f.toUpperCase() + ')', onclick: get('/delivery.' + f) })),
        h('button', { type: 'button', class: 'secondary', text: 'Preview pack with signatures in review (PDF)', onclick: get('/delivery.pdf?preview=true') })),
      downloads);
    const exports = await api('GET', '/api/letters/' + id + '/exports?limit=20');
    parts.push(table('Export log (latest 20)', ['When', 'Key', 'Format', 'Signatures'], (exports.data?.items ?? []).map(x => h('tr', {},
      h('td', { text: when(x.at, zone) }), h('td', { text: x.keyId }), h('td', { text: x.format }), h('td', { text: x.rows })))));

    parts.push(h('h2', { text: 'Embedding' }),
      h('p', { text: l.allowedOrigins.length ? 'Only these sites may embed it: ' + l.allowedOrigins.join(', ') + '. Add a partner\u2019s origin under Edit.'
        : 'Any site may embed it; list sites under Edit to allow only those.' }),
      copyable('Script mode (the form appears where the tag is)', l.embed.script),
      copyable('Iframe mode (the frame takes the form\u2019s height; without its script it is tall enough anyway)', l.embed.iframe),
      copyable('The letter page, to share', l.embed.page));
  }
  show(l.title, ...parts);
}

/**
 * The letter in other languages: each with its version and whether it is outdated (not served until written again)
 * or hidden, a form to write it (with its ETag, so nobody's change is lost), and one to add a language.
 */
async function translations(letter, reload) {
  const path = lang => '/api/letters/' + letter.id + '/translations/' + encodeURIComponent(lang);
  const list = (await api('GET', '/api/letters/' + letter.id + '/translations')).data?.items ?? [];
  // Each ETag as read now: a save sends it, so a change someone made meanwhile is refused (412), not overwritten.
  const etags = await Promise.all(list.map(async t => (await api('GET', path(t.language))).etag));
  const result = h('div', { role: 'alert' });
  const editor = (t, etag, summary) => {
    const lang = h('input', { name: 'lang', value: t?.language ?? '', disabled: !!t, autocomplete: 'off' });
    const title = h('input', { name: 'title', value: t?.title ?? '', dir: 'auto' }), target = h('input', { name: 'target', value: t?.target ?? '', dir: 'auto' });
    const body = h('textarea', { name: 'body', rows: 8, value: t?.body ?? '', dir: 'auto' });
    const consent = h('textarea', { name: 'consentText', rows: 2, value: t?.consentText ?? '', dir: 'auto' });
    const hidden = h('input', { type: 'checkbox', name: 'hidden', checked: !!t?.hidden });
    return h('details', {}, h('summary', { text: summary }), h('form', { novalidate: true, onsubmit: async e => {
      e.preventDefault();
      const response = await api('PUT', path(t?.language ?? lang.value.trim()), { headers: etag ? { 'If-Match': etag } : {},
        body: { title: title.value, body: body.value, target: target.value || null, consentText: consent.value || null, hidden: hidden.checked } });
      report(result, response, 'Translation saved.');
      if (response.ok) await reload();
    } }, t ? null : field('Language (a BCP 47 tag such as cy, ar or fa)', lang), field('Title', title), field('To (empty: as in the letter)', target),
      field('Letter (Markdown)', body), field('Consent wording (empty: as in the letter)', consent),
      h('p', {}, h('label', {}, hidden, ' Hidden from the public (for a translation people have signed in)')),
      h('button', { type: 'submit', text: t ? 'Save' : 'Add the translation' })));
  };
  return h('div', {},
    list.length ? table('Each language\u2019s version and state', ['Language', 'Title', 'Version', 'State'], list.map(t => h('tr', {},
      h('td', { text: t.language }), h('td', { text: t.title, dir: t.direction }), h('td', { text: t.textVersion ?? 'draft' }),
      h('td', { text: t.hidden ? 'hidden' : t.outdated ? 'outdated: the letter changed; save it again to serve it' : 'served' })))) : h('p', { text: 'In ' + letter.language + ' only.' }),
    list.map((t, i) => editor(t, etags[i], 'Edit the ' + t.language + ' translation')), editor(null, null, 'Add a translation'), result);
}

/** What came of the letter: the list (public, newest first) and a form to record another. */
async function outcomes(id, zone, act) {
  const list = (await api('GET', '/api/letters/' + id + '/outcomes')).data?.items ?? [];
  const kind = select('kind', ['delivered', 'response', 'other'], 'delivered');
  const occurredAt = h('input', { type: 'datetime-local', name: 'occurredAt', value: wallOf(new Date().toISOString(), zone) });
  const title = h('input', { name: 'title' }), body = h('textarea', { name: 'body', rows: 4 }), url = h('input', { name: 'url', type: 'url' });
  return h('div', {},
    list.length ? h('ul', { class: 'outcomes' }, list.map(o => h('li', {}, h('strong', { text: o.title }), ' (' + o.kind + ', ' + when(o.occurredAt, zone) + ') ',
      h('button', { type: 'button', class: 'danger', text: 'Remove', 'aria-label': 'Remove ' + o.title,
        onclick: () => act('DELETE', '/api/letters/' + id + '/outcomes/' + o.id, undefined, 'Outcome removed.') })))) : h('p', { text: 'None recorded yet.' }),
    h('details', {}, h('summary', { text: 'Record an outcome (shown publicly)' }),
      h('form', { novalidate: true, onsubmit: e => {
        e.preventDefault();
        act('POST', '/api/letters/' + id + '/outcomes', { kind: kind.value, occurredAt: instantOf(occurredAt.value, zone), title: title.value,
          body: body.value, url: url.value || null }, 'Outcome recorded.');
      } }, field('Kind', kind), field('When (' + zone + ')', occurredAt), field('Title', title), field('What happened (Markdown)', body),
      field('Link (optional)', url), h('button', { type: 'submit', text: 'Record the outcome' }))));
}

/** Updates to the signers who asked for them: one a day, counted before sending, and those sent. */
async function updates(id, zone, act) {
  const sent = (await api('GET', '/api/letters/' + id + '/updates')).data?.items ?? [];
  const subject = h('input', { name: 'subject' }), body = h('textarea', { name: 'body', rows: 6 });
  const count = h('p', { role: 'status' });
  return h('div', {},
    h('form', { novalidate: true, onsubmit: e => {
      e.preventDefault();
      act('POST', '/api/letters/' + id + '/updates', { subject: subject.value, body: body.value }, 'The update is on its way.');
    } }, field('Subject', subject), field('Update (Markdown; sent as plain text with an unsubscribe link)', body),
    h('button', { type: 'button', class: 'secondary', text: 'Count who it goes to', onclick: async () => {
      const response = await api('POST', '/api/letters/' + id + '/updates', { body: { subject: subject.value, body: body.value, preview: true } });
      count.replaceChildren(response.ok ? 'It would go to ' + response.data.recipients + ' signers.' : problem(response.data));
    } }), h('button', { type: 'submit', text: 'Send the update' }), count),
    sent.length ? table('Updates sent', ['Day', 'Subject', 'Signers'], sent.map(u => h('tr', {},
      h('td', { text: u.localDay }), h('td', { text: u.subject }), h('td', { text: u.recipients })))) : null);
}

/** Confirmed signatures a day as bars (SVG built as elements), with the same numbers in a table. */
function chart(days, zone) {
  const svgNs = 'http://www.w3.org/2000/svg', width = 600, height = 120;
  const max = Math.max(1, ...days.map(d => d.confirmed));
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Confirmed signatures by day: ' + days.length + ' days, up to ' + max + ' a day; the numbers are in the table below.');
  svg.setAttribute('class', 'chart');
  const slot = width / days.length;
  days.forEach((d, i) => {
    const bar = document.createElementNS(svgNs, 'rect');
    const barHeight = Math.max(1, (height - 4) * Math.max(0, d.confirmed) / max);
    for (const [name, value] of Object.entries({ x: i * slot + slot * 0.1, y: height - barHeight, width: slot * 0.8, height: barHeight, fill: '#0b4f8a' }))
      bar.setAttribute(name, value);
    svg.append(bar);
  });
  const day = iso => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: zone }).format(new Date(iso));
  return h('div', {}, svg, table('Confirmed signatures by day (' + zone + ')', ['Day', 'Confirmed'],
    days.map(d => h('tr', {}, h('td', { text: day(d.start) }), h('td', { text: d.confirmed })))));
}

// Signatures -----------------------------------------------------------------------------------------------------------

async function signaturesView(id) {
  const read = await api('GET', '/api/letters/' + id);
  if (!read.ok) return show('Letter not found', problem(read.data));
  const l = read.data, zone = l.timeZone;
  const status = select('status', ['review', 'confirmed', 'pending', 'rejected', 'withdrawn', 'expired', 'all'], l.counts.review > 0 ? 'review' : 'confirmed');
  const q = h('input', { name: 'q', type: 'search' });
  const result = h('div', { role: 'alert' });
  const listing = h('div');
  const selected = new Set();

  const decide = async (ids, decision) => {
    let done = 0;
    for (const signatureId of ids) {
      const response = await api('POST', `/api/letters/${id}/signatures/${signatureId}/${decision}`);
      if (!response.ok) { result.replaceChildren(problem(response.data)); return; }
      done++;
    }
    await load();
    result.replaceChildren(h('p', { class: 'done', text: (decision === 'approve' ? 'Approved ' : 'Rejected ') + done + (done === 1 ? ' signature.' : ' signatures.') }));
  };

  const correctForm = s => {
    const name = h('input', { name: 'name', value: s.name ?? '' }), role = h('input', { name: 'role', value: s.role ?? '' });
    const organisation = h('input', { name: 'organisation', value: s.organisation ?? '' });
    return h('form', { class: 'inline', novalidate: true, onsubmit: async e => {
      e.preventDefault();
      const patch = {};
      for (const [key, input] of Object.entries({ name, role, organisation }))
        if (input.value !== (s[key] ?? '')) patch[key] = input.value === '' ? null : input.value;
      const response = await api('PATCH', `/api/letters/${id}/signatures/${s.id}`, { body: patch });
      if (!response.ok) return result.replaceChildren(problem(response.data));
      await load();
      result.replaceChildren(h('p', { class: 'done', text: 'Corrected.' }));
    } }, field('Name', name), field('Role', role), field('Organisation', organisation), h('button', { type: 'submit', text: 'Save the correction' }));
  };

  const row = s => {
    const check = h('input', { type: 'checkbox', 'aria-label': 'Select ' + s.display, checked: selected.has(s.id),
      onchange: e => e.target.checked ? selected.add(s.id) : selected.delete(s.id) });
    const actions = h('td', { class: 'actions' });
    const tr = h('tr', {}, h('td', {}, check), h('td', {}, h('bdi', { text: s.display })), h('td', { text: s.kind }), h('td', { text: s.status }),
      h('td', { text: s.email ?? '' }), h('td', { text: when(s.signedAt, zone) }), actions);
    if (s.status === 'review')
      actions.append(h('button', { type: 'button', text: 'Approve', 'aria-label': 'Approve ' + s.display, onclick: () => decide([s.id], 'approve') }),
        h('button', { type: 'button', class: 'secondary', text: 'Reject', 'aria-label': 'Reject ' + s.display, onclick: () => decide([s.id], 'reject') }));
    if (s.display)
      actions.append(h('button', { type: 'button', class: 'secondary', text: 'Correct', 'aria-label': 'Correct ' + s.display, onclick: () => {
        const form = correctForm(s);
        tr.after(h('tr', {}, h('td', { colspan: 7 }, form)));
        form.querySelector('input').focus();
      } }),
      h('button', { type: 'button', class: 'danger', text: 'Erase', 'aria-label': 'Erase ' + s.display, onclick: e => {
        const confirm = h('span', {}, 'Erase for good? ',
          h('button', { type: 'button', class: 'danger', text: 'Yes, erase', onclick: async () => {
            const response = await api('DELETE', `/api/letters/${id}/signatures/${s.id}`);
            if (!response.ok) return result.replaceChildren(problem(response.data));
            await load();
            result.replaceChildren(h('p', { class: 'done', text: 'Erased.' }));
          } }),
          h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => { confirm.replaceWith(e.target); e.target.focus(); } }));
        e.target.replaceWith(confirm);
        confirm.querySelector('button').focus();
      } }));
    return tr;
  };

  let cursor = null;
  async function load(more = false) {
    if (!more) { cursor = null; selected.clear(); }
    const query = new URLSearchParams({ limit: '100', status: status.value });
    if (q.value.trim()) query.set('q', q.value.trim());
    if (more && cursor) query.set('cursor', cursor);
    const response = await api('GET', `/api/letters/${id}/signatures?` + query);
    if (!response.ok) return result.replaceChildren(problem(response.data));
    const rows = response.data.items.map(row);
    cursor = response.data.nextCursor;
    if (more) listing.querySelector('tbody').append(...rows);
    else listing.replaceChildren(...[
      status.value === 'review' ? h('p', { class: 'actions' },
        h('button', { type: 'button', text: 'Approve selected', onclick: () => decide([...selected], 'approve') }),
        h('button', { type: 'button', class: 'secondary', text: 'Reject selected', onclick: () => decide([...selected], 'reject') })) : null,
      rows.length ? table('Signatures: ' + status.value, ['Select', 'Shown as', 'Kind', 'Status', 'Email', 'Signed', 'Actions'], rows)
        : h('p', { text: 'No signatures here.' }),
      h('button', { type: 'button', class: 'secondary', text: 'More signatures', hidden: !cursor, onclick: () => load(true) })].filter(Boolean));
  }

  const add = { kind: select('kind', ['individual', 'organisation'], 'individual'), name: h('input', { name: 'name' }), role: h('input', { name: 'role' }),
    organisation: h('input', { name: 'organisation' }), email: h('input', { name: 'email', type: 'email' }), showName: h('input', { name: 'showName', type: 'checkbox', checked: true }) };
  const addResult = h('div', { role: 'alert' });
  const addForm = h('form', { novalidate: true, onsubmit: async e => {
    e.preventDefault();
    const body = { kind: add.kind.value, name: add.name.value, role: add.role.value || null, organisation: add.organisation.value || null,
      email: add.email.value || null, showName: add.showName.checked };
    const response = await api('POST', `/api/letters/${id}/signatures`, { body });
    report(addResult, response, 'Added, confirmed: it counts and shows now.');
    if (response.ok) { addForm.reset(); await load(); }
  } }, field('Kind', add.kind), field('Name', add.name), field('Role (optional)', add.role), field('Organisation', add.organisation),
  field('Email (optional; never shown)', add.email), h('div', { class: 'check' }, add.showName, h('label', { for: add.showName.id || (add.showName.id = 'add-show'), text: 'Show the name on the letter' })),
  h('button', { type: 'submit', text: 'Add the signatory' }), addResult);

  show('Signatures: ' + l.title, h('p', {}, h('a', { href: '#/letters/' + id, text: 'Back to the letter' })),
    h('form', { class: 'filters', novalidate: true, onsubmit: e => { e.preventDefault(); load(); } },
      field('Status', status), field('Search names and organisations', q), h('button', { type: 'submit', text: 'Show' })),
    result, listing,
    h('details', {}, h('summary', { text: 'Add a signatory who signed on paper or by email' }), addForm));
  status.addEventListener('change', () => load());
  await load();
}

// Admin ----------------------------------------------------------------------------------------------------------------

function adminOnly() {
  if (me.role === 'admin') return false;
  show('Admins only', h('p', { text: 'This part of the console needs an admin key.' }));
  return true;
}

async function keysView() {
  if (adminOnly()) return;
  const [keys, sessions] = await Promise.all([api('GET', '/api/keys?limit=100'), api('GET', '/api/sessions')]);
  const result = h('div', { role: 'alert' });
  const name = h('input', { name: 'name' }), role = select('role', ['staff', 'admin'], 'staff');
  const revoke = (path, done) => async () => {
    const response = await api('DELETE', path);
    if (!response.ok) return result.replaceChildren(problem(response.data));
    await keysView();
    main.querySelector('[role=alert]').replaceChildren(h('p', { class: 'done', text: done }));
  };
  show('Keys',
    h('form', { novalidate: true, onsubmit: async e => {
      e.preventDefault();
      const response = await api('POST', '/api/keys', { body: { name: name.value, role: role.value } });
      if (!response.ok) return result.replaceChildren(problem(response.data));
      await keysView();
      main.querySelector('[role=alert]').replaceChildren(h('div', { class: 'secret' },
        h('p', { text: 'The new key is shown only now. Give it to its holder by a safe route; it cannot be shown again.' }),
        copyable('Key for ' + response.data.key.name, response.data.secret)));
    } }, h('h2', { text: 'Create a key' }), field('Who holds it', name, 'Such as "Amina (campaigns)".'), field('Role', role),
    h('button', { type: 'submit', text: 'Create the key' })),
    result,
    table('Keys', ['Name', 'Role', 'Starts', 'Created', 'Revoked', ''], (keys.data?.items ?? []).map(k => h('tr', {},
      h('td', { text: k.name }), h('td', { text: k.role }), h('td', {}, h('code', { text: k.hint })), h('td', { text: when(k.createdAt) }),
      h('td', { text: when(k.revokedAt) }),
      h('td', {}, k.revokedAt ? '' : h('button', { type: 'button', class: 'danger', text: 'Revoke', 'aria-label': 'Revoke ' + k.name, onclick: revoke('/api/keys/' + k.id, 'Revoked.') }))))),
    table('Live sessions', ['Session', 'Key', 'Started', 'Ends', ''], (sessions.data?.items ?? []).map(s => h('tr', {},
      h('td', { text: s.id }), h('td', { text: s.keyId }), h('td', { text: when(s.createdAt) }), h('td', { text: when(s.expiresAt) }),
      h('td', {}, h('button', { type: 'button', class: 'danger', text: 'End', 'aria-label': 'End session ' + s.id, onclick: revoke('/api/sessions/' + s.id, 'Session ended.') }))))));
}

async function auditView() {
  if (adminOnly()) return;
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', text: 'Older entries', hidden: true });
  let cursor = null;
  const load = async () => {
    const response = await api('GET', '/api/audit?limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    for (const a of response.data.items)
      body.append(h('tr', {}, h('td', { text: when(a.at) }), h('td', { text: a.keyId ?? 'service' }), h('td', { text: a.action }),
        h('td', { text: a.letterId ?? '' }), h('td', { text: a.signatureId ?? '' }), h('td', { text: a.rows ?? '' }),
        h('td', {}, a.details ? h('code', { text: JSON.stringify(a.details) }) : '')));
    cursor = response.data.nextCursor;
    more.hidden = !cursor;
  };
  more.addEventListener('click', load);
  const log = table('Audit trail, newest first', ['When', 'Key', 'Action', 'Letter', 'Signature', 'Rows', 'Details'], []);
  log.querySelector('table').replaceChild(body, log.querySelector('tbody'));
  show('Audit trail', log, more);
  await load();
}

/** The background loops in staff's words. */
const WORK = {
  writer: 'Saving signatures', outbox: 'Sending email', webhooks: 'Webhook deliveries', retention: 'Expiry and deletion on schedule',
  'change-feed': 'Hearing other instances\u2019 changes', 'data-requests': 'Answering data access requests',
};

async function healthView() {
  if (adminOnly()) return;
  const health = (await api('GET', '/api/admin/health')).data;
  const none = (text, columns) => h('tr', {}, h('td', { colspan: columns, text }));
  show('Health',
    h('p', {}, h('strong', { text: 'This instance: ' + health.status }), ' \u00b7 version ' + health.version + ', schema ' + health.schemaVersion),
    health.reasons.length ? h('ul', {}, health.reasons.map(r => h('li', { text: r }))) : null,
    h('dl', {},
      h('dt', { text: 'Signatures waiting to be saved' }), h('dd', { text: health.writerQueue + ' of ' + health.writerQueueCapacity }),
      h('dt', { text: 'Emails waiting' }), h('dd', { text: health.mailBacklog + (health.oldestMailQueuedAt ? ', the oldest since ' + when(health.oldestMailQueuedAt) : '') }),
      h('dt', { text: 'Mail relay' }), h('dd', { text: health.mailTransport === 'held'
        ? 'held since ' + when(health.mailHeldSince) + ' (' + health.mailLastError + '); every email is kept and sent once it takes mail again'
        : 'flowing' }),
      h('dt', { text: 'Last expiry and deletion run' }), h('dd', { text: health.lastRetentionRun ? when(health.lastRetentionRun) : 'never' })),
    table('Mail per letter', ['Letter', 'Waiting', 'Refused for good', 'Must sign again'], health.letters.length
      ? health.letters.map(l => h('tr', {}, h('td', {}, h('a', { href: '#/letters/' + l.letterId, text: l.slug })), h('td', { text: l.waiting }),
          h('td', { text: l.undeliverable }),
          h('td', { text: l.mustSignAgain ? l.mustSignAgain + ' (their confirmation link never reached them: ask them to sign again)' : '0' })))
      : none('No letter has mail waiting or refused.', 4)),
    table('Webhook endpoints in trouble', ['Endpoint', 'URL', 'Failing since', 'Last error', 'Disabled'], health.webhooks.length
      ? health.webhooks.map(w => h('tr', {}, h('td', { text: w.id }), h('td', {}, h('code', { text: w.url })), h('td', { text: when(w.failingSince) }),
          h('td', { text: w.lastError ?? '' }), h('td', { text: w.disabledAt ? when(w.disabledAt) + ' (' + (w.disabledReason ?? '') + ')' : 'no' })))
      : none('Every endpoint delivers.', 5)),
    table('Background work on this instance', ['Work', 'Last worked', 'Failing since', 'Last error', 'Items given up on'], health.loops.map(l => h('tr', {},
      h('td', { text: WORK[l.name] ?? l.name }), h('td', { text: when(l.lastSuccess) }), h('td', { text: when(l.failingSince) }), h('td', { text: l.lastError ?? '' }),
      h('td', { text: l.setAside })))));
}

function pauseView() {
  if (adminOnly()) return;
  const reason = h('input', { name: 'reason' }), extend = h('input', { type: 'checkbox', name: 'extendDeadlines', id: 'extend-deadlines' });
  const result = h('div', { role: 'alert' });
  show('Pause signing',
    h('p', { text: 'Pausing stops all signing on every letter at once (during an attack, say). Resuming can move open letters\u2019 deadlines by the time lost.' }),
    h('form', { novalidate: true, onsubmit: async e => {
      e.preventDefault();
      report(result, await api('POST', '/api/admin/pause', { body: { reason: reason.value, extendDeadlines: extend.checked } }), 'Signing is paused.');
    } }, field('Reason (kept in the audit trail)', reason), h('div', { class: 'check' }, extend, h('label', { for: 'extend-deadlines', text: 'On resume, extend open letters\u2019 deadlines by the paused time' })),
    h('button', { type: 'submit', class: 'danger', text: 'Pause all signing' })),
    h('p', {}, h('button', { type: 'button', text: 'Resume signing', onclick: async () => report(result, await api('DELETE', '/api/admin/pause'), 'Signing has resumed.') })),
    result);
}

// Routing --------------------------------------------------------------------------------------------------------------

const routes = [
  [/^#\/letters$/, lettersView], [/^#\/letters\/new$/, newLetterView], [/^#\/letters\/(\d+)$/, letterView],
  [/^#\/letters\/(\d+)\/edit$/, editLetterView], [/^#\/letters\/(\d+)\/signatures$/, signaturesView],
  [/^#\/keys$/, keysView], [/^#\/audit$/, auditView], [/^#\/health$/, healthView], [/^#\/pause$/, pauseView],
];

// One navigation at a time, in order: a slow view started earlier never replaces the one asked for since.
let routing = Promise.resolve();
function route() {
  routing = routing.then(routeNow, routeNow);
  return routing;
}

async function routeNow() {
  if (!sessionStorage.getItem(TOKEN)) return signInView();
  try {
    if (!me) {
      me = (await api('GET', '/api/me')).data;
      if (me.role === 'partner') {
        await api('DELETE', '/api/sessions/current').catch(() => {});
        return signOut('This console is for campaign staff. A partner key reads its letters and signers through /api/partner/letters.');
      }
      renderNav();
    }
    const hash = location.hash || '#/letters';
    const match = routes.map(([pattern, view]) => [hash.match(pattern), view]).find(([m]) => m);
    if (!match) { location.hash = '#/letters'; return; }
    await match[1](...match[0].slice(1));
    main.focus();
  } catch (e) {
    if (!(e instanceof SignedOut)) throw e;
  }
}

addEventListener('hashchange', route);
route();
