// The supervisors' dashboard: plain JavaScript over the same API, no build step.
// Every value from the API is set with textContent, never as HTML.
(() => {
  'use strict';

  const COUNTIES = {
    410402: '新华区', 410403: '卫东区', 410404: '石龙区', 410411: '湛河区', 410421: '宝丰县',
    410422: '叶县', 410423: '鲁山县', 410425: '郏县', 410481: '舞钢市', 410482: '汝州市',
  };
  const TYPE_LABELS = { dropout: '控辍保学', 'mental-health': '心理健康', guardianship: '临时监护', assistance: '救助认定' };
  const EVENT_LABELS = {
    withheld: '（详情仅承办人员可见）',
    reported: '报告', stage: '阶段变更', 'task-assigned': '派发任务', 'task-completed': '任务办结', 'task-withdrawn': '任务撤回',
    'persuasion-visit': '劝返走访', 'returned-to-school': '复学', relapse: '再次辍学', 'moved-back-to-hukou': '返回户籍地',
    'court-outcome': '法院处理结果', closed: '结案',
  };
  const REFERRAL_STATUS = { sent: '已移送', 'no-suggestion': '未制发建议', 'suggestion-issued': '已制发检察建议', 'reply-overdue': '逾期未回复', replied: '已回复' };

  const $ = (id) => document.getElementById(id);
  const charts = {};

  // Every API call carries a bearer token (issue #10): from a `?token=` link, kept in
  // sessionStorage and taken out of the address bar, or pasted into the login field.
  const TOKEN_KEY = 'careflow.token';
  const linked = new URLSearchParams(location.search).get('token');
  if (linked) {
    sessionStorage.setItem(TOKEN_KEY, linked);
    history.replaceState(null, '', location.pathname + location.hash);
  }

  function showLogin() {
    if ($('login')) return;
    const form = document.createElement('form');
    form.id = 'login';
    const label = document.createElement('label');
    label.textContent = '令牌 ';
    const input = document.createElement('input');
    input.type = 'password';
    input.autocomplete = 'off';
    input.required = true;
    label.appendChild(input);
    const button = document.createElement('button');
    button.textContent = '登录';
    form.append(label, button);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      form.remove();
      void route();
    });
    document.querySelector('header').appendChild(form);
  }

  async function get(path) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) {
      showLogin();
      throw new Error('请先登录：粘贴令牌（npx tsx scripts/token.ts supervisor --county 410400）');
    }
    const response = await fetch(path, { headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin();
    }
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  }

  function cell(row, text, href) {
    const td = document.createElement('td');
    if (href) {
      const a = document.createElement('a');
      a.href = href;
      a.textContent = text;
      td.appendChild(a);
    } else {
      td.textContent = text;
    }
    row.appendChild(td);
  }

  function fillTable(id, rows, columns) {
    const body = $(id).querySelector('tbody');
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = columns.length;
      td.textContent = '暂无';
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    for (const item of rows) {
      const tr = document.createElement('tr');
      for (const column of columns) cell(tr, column.text(item), column.href ? column.href(item) : undefined);
      body.appendChild(tr);
    }
  }

  function chart(id, config) {
    if (!window.Chart) return;
    charts[id]?.destroy();
    charts[id] = new window.Chart($(id), config);
  }

  const shortId = (id) => id.slice(0, 8);
  /** The first day of the China-time quarter of `now`, as YYYY-MM-DD. */
  function quarterStart(now) {
    const china = new Date(now.getTime() + 8 * 3600_000);
    const month = Math.floor(china.getUTCMonth() / 3) * 3 + 1;
    return `${china.getUTCFullYear()}-${String(month).padStart(2, '0')}-01`;
  }
  const formatTime = (iso) => (iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '');

  async function showOverview() {
    $('overview').hidden = false;
    $('case').hidden = true;
    const county = $('county').value;
    const q = county ? `county=${county}` : '';
    const [stats, quarterStats, overdue, escalated, referrals] = await Promise.all([
      get(`/api/v1/stats?${q}`),
      get(`/api/v1/stats?from=${quarterStart(new Date())}&${q}`),
      get(`/api/v1/cases?status=open&overdue=true&limit=20&${q}`),
      get(`/api/v1/cases?status=open&escalationLevel=1&sort=-escalationLevel&limit=20&${q}`),
      get('/api/v1/referrals?pageSize=20'),
    ]);
    const openCases = stats.casework.casesByTypeAndStage.filter((row) => row.status === 'open');
    $('fig-children').textContent = String(stats.register.children);
    $('fig-eligible').textContent = String(stats.register.eligible);
    $('fig-keycare').textContent = String(stats.register.keyCare);
    $('fig-open-cases').textContent = String(openCases.reduce((sum, row) => sum + row.count, 0));
    $('fig-overdue').textContent = String(stats.casework.overdueByDepartment.reduce((sum, row) => sum + row.overdue, 0));
    $('fig-referrals').textContent = String(Object.values(stats.casework.referralsByStatus).reduce((sum, n) => sum + n, 0));

    const byCounty = stats.register.byCounty;
    chart('chart-county', {
      type: 'bar',
      data: {
        labels: byCounty.map((row) => COUNTIES[row.county] ?? row.county),
        datasets: [
          { label: '登记儿童', data: byCounty.map((row) => row.children), backgroundColor: '#2f6fed' },
          { label: '重点关爱', data: byCounty.map((row) => row.keyCare), backgroundColor: '#b42318' },
        ],
      },
      options: { animation: false, responsive: true },
    });
    const stages = new Map();
    for (const row of openCases) {
      const key = `${TYPE_LABELS[row.type] ?? row.type}·${row.stageLabel}`;
      stages.set(key, (stages.get(key) ?? 0) + row.count);
    }
    chart('chart-stage', {
      type: 'bar',
      data: { labels: [...stages.keys()], datasets: [{ label: '在办案件', data: [...stages.values()], backgroundColor: '#b54708' }] },
      options: { animation: false, indexAxis: 'y', responsive: true },
    });

    const caseColumns = [
      { text: (c) => shortId(c.id), href: (c) => `#/cases/${c.id}` },
      { text: (c) => c.typeLabel },
      { text: (c) => c.countyName },
    ];
    fillTable('overdue-cases', overdue.items, [...caseColumns, { text: (c) => c.stageLabel }, { text: (c) => String(c.overdueTasks) }]);
    fillTable('escalated-cases', escalated.items, [...caseColumns, { text: (c) => `第 ${c.escalationLevel} 级` }]);
    // Worst first: the townships a supervisor should call (S20); those with nothing due yet last.
    const compliance = [...quarterStats.visits.byTownship].sort((a, b) => (a.rate ?? 2) - (b.rate ?? 2) || b.due - a.due).slice(0, 20);
    fillTable('visit-compliance', compliance, [
      { text: (t) => t.townshipName },
      { text: (t) => COUNTIES[t.county] ?? t.county },
      { text: (t) => String(t.due) },
      { text: (t) => String(t.done) },
      { text: (t) => (t.rate === null ? '—' : `${Math.round(t.rate * 100)}%`) },
      { text: (t) => String(t.quartersShort) },
    ]);
    fillTable('referrals', referrals.items, [
      { text: (r) => r.departmentCode },
      { text: (r) => r.procuratorateCode },
      { text: (r) => REFERRAL_STATUS[r.status] ?? r.status },
      { text: (r) => formatTime(r.replyDueAt) },
    ]);
  }

  async function showCase(id) {
    $('overview').hidden = true;
    $('case').hidden = false;
    const c = await get(`/api/v1/cases/${encodeURIComponent(id)}`);
    $('case-title').textContent = `${c.typeLabel} 案件 ${shortId(c.id)}`;
    const facts = $('case-facts');
    facts.replaceChildren();
    for (const [label, value] of [
      ['阶段', c.stageLabel],
      ['状态', c.status === 'open' ? '在办' : '已结案'],
      ['结果', c.outcome ?? '—'],
      ['地区', COUNTIES[c.countyCode] ?? c.countyCode],
      ['督办级别', String(c.escalationLevel)],
      ['立案时间', formatTime(c.openedAt)],
    ]) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value;
      facts.append(dt, dd);
    }
    fillTable('case-tasks', c.openTasks, [
      { text: (t) => t.title },
      { text: (t) => t.assigneeCode },
      { text: (t) => formatTime(t.dueAt) },
      { text: (t) => (t.overdue ? '是' : '否') },
      { text: (t) => String(t.escalationLevel) },
    ]);
    const timeline = $('case-timeline');
    timeline.replaceChildren();
    for (const event of c.timeline) {
      const li = document.createElement('li');
      const details = Object.entries(event.summary).map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`).join('，');
      li.textContent = `${formatTime(event.at)} · ${event.actor} · ${EVENT_LABELS[event.kind] ?? event.kind}${details ? `（${details}）` : ''}`;
      timeline.appendChild(li);
    }
  }

  async function route() {
    $('error').hidden = true;
    try {
      const match = /^#\/cases\/([0-9a-f-]{36})$/.exec(location.hash);
      if (match) await showCase(match[1]);
      else await showOverview();
      document.body.dataset.ready = 'true';
    } catch (error) {
      $('error').textContent = `加载失败：${error.message}`;
      $('error').hidden = false;
    }
  }

  for (const [code, name] of Object.entries(COUNTIES)) {
    const option = document.createElement('option');
    option.value = code;
    option.textContent = name;
    $('county').appendChild(option);
  }
  $('county').addEventListener('change', () => void route());
  window.addEventListener('hashchange', () => void route());
  void route();
})();
