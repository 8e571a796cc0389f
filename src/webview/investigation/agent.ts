// The agent section of the investigation panel: "ask about this incident", the streamed answer, the
// trail of tool calls with their results (as the model received them), budgets and usage, and the
// grounded answer beside the deterministic hypothesis. One element for the panel's lifetime, so a
// question being typed survives the panel's re-renders. Everything from the host is rendered as text.
import { IpcClient } from '../../protocol/ipc';
import { agentPreviewRequest, agentStateNotification, askAgentCommand, cancelAgentCommand, openAgentSettingsCommand, runAgentActionCommand, type AgentView } from '../../protocol/agent';
import { clear, h } from './dom';
import { formatSpan } from '../../core/time';

const stopText: Record<string, string> = {
  answered: 'answered',
  'budget-steps': 'stopped: the step budget ran out',
  'budget-tokens': 'stopped: the token budget ran out',
  'budget-time': 'stopped: the time budget ran out',
  cancelled: 'cancelled',
  declined: 'not sent: you declined',
  error: 'failed',
  'no-answer': 'stopped: the model gave no structured answer',
};

export function createAgentSection(ipc: IpcClient): HTMLElement {
  let view: AgentView | undefined;
  const root = h('section', { class: 'card agent', id: 'agent', 'aria-live': 'polite' });
  const input = h('textarea', { class: 'agent-question', rows: 2, placeholder: 'Ask about this incident (empty: what caused it?)', 'aria-label': 'Ask about this incident', maxlength: 2000 });
  const askButton = h('button', { type: 'button', 'data-action': 'agent-ask' }, 'Ask');
  const previewButton = h('button', { type: 'button', class: 'secondary', 'data-action': 'agent-preview' }, 'Preview what is sent');
  const cancelButton = h('button', { type: 'button', class: 'secondary', 'data-action': 'agent-cancel' }, 'Cancel');
  const preview = h('pre', { class: 'agent-preview mono', hidden: true });
  const body = h('div', { class: 'agent-body' });
  askButton.addEventListener('click', () => ipc.send(askAgentCommand, { question: input.value }));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) ipc.send(askAgentCommand, { question: input.value });
  });
  cancelButton.addEventListener('click', () => ipc.send(cancelAgentCommand, {}));
  previewButton.addEventListener('click', async () => {
    try {
      const got = await ipc.request(agentPreviewRequest, { question: input.value });
      preview.textContent = `To ${got.provider}:\n${got.body}`;
    } catch (err) {
      preview.textContent = err instanceof Error ? err.message : String(err);
    }
    preview.hidden = false;
  });

  const render = (): void => {
    clear(root);
    root.append(h('h2', null, 'Agent'));
    if (!view || view.state === 'off') {
      const settings = h('button', { type: 'button', class: 'link', 'data-action': 'agent-settings' }, 'Open the agent settings');
      settings.addEventListener('click', () => ipc.send(openAgentSettingsCommand, {}));
      root.append(h('p', { class: 'muted agent-off' }, view?.hint ?? 'The agent is off.'), settings);
      return;
    }
    const running = view.state === 'running';
    askButton.disabled = running;
    cancelButton.hidden = !running;
    root.append(
      h('p', { class: 'muted' }, `Asks ${view.provider ?? 'the configured model'} with Incident Lens's read-only tools. Secrets are redacted before anything is sent; it can only propose catalog actions, and you approve each under the policy.`),
      h('div', { class: 'agent-ask row' }, input, askButton, previewButton, cancelButton),
      preview,
      body,
    );
    clear(body);
    const b = view.budgets;
    body.append(h('div', { class: 'agent-budget muted' }, `step ${view.step} of ${b.maxSteps} · ${view.usage.inputTokens + view.usage.outputTokens} of ${b.maxTokens} tokens${view.usage.estimated ? ' (estimated)' : ''} · ${formatSpan(view.elapsedMs)} of ${b.maxSeconds} s${view.stopped ? ` · ${stopText[view.stopped] ?? view.stopped}` : running ? ' · running' : ''}`));
    if (view.error) body.append(h('div', { class: 'error-box', role: 'alert' }, view.error));
    if (view.question) body.append(h('p', { class: 'agent-q' }, h('strong', null, 'Q: '), view.question));
    if (view.text) body.append(h('div', { class: 'agent-text' }, view.text));
    const a = view.answer;
    if (a) {
      body.append(
        h('div', { class: `agent-answer ${a.supported ? 'supported' : 'unsupported'}` },
          a.supported ? null : h('div', { class: 'warn-box' }, 'Not a conclusion: none of this answer\'s claims is supported by its citations.'),
          h('p', { class: 'agent-summary' }, a.summary),
          h('p', { class: 'muted' }, `cause: ${a.causeKind}`, a.service ? ` · service: ${a.service}${a.serviceSupported ? '' : ' (unsupported)'}` : '', a.commit ? ` · commit: ${a.commit.slice(0, 12)}${a.commitSupported ? '' : ' (unsupported)'}` : ''),
          a.disagreements.length
            ? h('div', { class: 'agent-disagree' }, h('h3', null, 'Where it disagrees with the deterministic hypothesis'), h('ul', null, a.disagreements.map((d) => h('li', null, `${d.field}: agent ${d.agent ?? 'none'}, hypothesis ${d.baseline ?? 'none'}`))))
            : h('p', { class: 'muted agent-agree' }, 'Agrees with the deterministic hypothesis on cause, service and commit.'),
          h('h3', null, 'Claims'),
          h('ul', { class: 'agent-claims' }, a.claims.map((c) =>
            h('li', { class: c.supported ? 'supported' : 'unsupported' },
              h('span', { class: 'badge' }, c.supported ? 'supported' : 'unsupported'), ' ', c.text,
              h('ul', { class: 'citations' }, c.citations.map((x) => h('li', { class: 'mono' }, `[${x.source}] “${x.quote}”`, x.problem ? h('span', { class: 'muted' }, ` — ${x.problem}`) : null)))))),
          a.nextChecks.length ? h('div', null, h('h3', null, 'Next checks'), h('ul', null, a.nextChecks.map((n) => h('li', null, n)))) : null,
          a.actions.length
            ? h('div', null, h('h3', null, 'Proposed actions (each goes through the policy and your approval)'), h('ul', { class: 'actions' }, a.actions.map((p) => {
                const btn = h('button', { type: 'button', 'data-agent-action-id': p.actionId }, `${p.actionId} ${Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(' ')}`);
                btn.addEventListener('click', () => ipc.send(runAgentActionCommand, { index: p.index, actionId: p.actionId }));
                return h('li', null, btn, h('span', { class: 'muted' }, ` ${p.why}`));
              })))
            : null,
          a.rejectedActions.length ? h('p', { class: 'muted' }, `Dropped (not catalog actions): ${a.rejectedActions.map((r) => r.actionId).join(', ')}`) : null,
        ),
      );
    }
    if (view.trail.length) {
      body.append(
        h('details', { class: 'agent-trail', open: running },
          h('summary', null, `Trail: ${view.trail.length} tool call${view.trail.length === 1 ? '' : 's'}`),
          h('ol', null, view.trail.map((t) =>
            h('li', { class: t.ok ? 'ok' : 'failed', 'data-tool': t.name },
              h('details', null,
                h('summary', null, h('span', { class: 'mono' }, `${t.id} ${t.name}`), ` ${t.arguments}`, t.ok ? '' : ` — ${t.error ?? 'error'}`, t.truncated ? h('span', { class: 'badge' }, 'cut') : null, h('span', { class: 'muted' }, ` ${formatSpan(t.ms)}`)),
                t.truncated ? h('p', { class: 'muted' }, `Cut, and the model was told: ${t.notes.join('; ')}`) : null,
                h('pre', { class: 'mono agent-result' }, t.result))))),
        ),
      );
    }
    if (view.history.length > 1) body.append(h('details', null, h('summary', null, `Earlier questions (${view.history.length - 1})`), h('ul', null, view.history.slice(0, -1).map((x) => h('li', null, h('strong', null, x.question), ` — ${x.summary}`)))));
    root.dataset.state = view.state;
  };

  ipc.onNotification(agentStateNotification, (next) => {
    view = next;
    render();
  });
  render();
  return root;
}
