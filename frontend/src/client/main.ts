// Placeholder client: connects and shows the welcome. The real client
// replaces this.
const status = document.getElementById('status')!;
const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
ws.onmessage = (ev) => {
  const msg = JSON.parse(ev.data as string) as { type: string; server?: { name: string } };
  if (msg.type === 'welcome') status.textContent = `Connected to ${msg.server?.name ?? 'Signalbox'}`;
};
ws.onclose = () => { status.textContent = 'Disconnected'; };
