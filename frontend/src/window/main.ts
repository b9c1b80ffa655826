// Placeholder window: lists the join URLs through the bound Go method.
type Bound = { go: { app: { App: { JoinURLs(): Promise<string[]> } } } };
const list = document.getElementById('urls')!;
const urls = await (window as unknown as Bound).go.app.App.JoinURLs();
for (const u of urls) {
  const li = document.createElement('li');
  li.textContent = u;
  list.append(li);
}
