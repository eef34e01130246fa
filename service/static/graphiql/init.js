// Starts GraphiQL against our own /graphql endpoint. Kept out of index.html so the page
// works under a Content-Security-Policy of script-src 'self' (no inline script).
(function () {
  'use strict';

  var defaultQuery = [
    '# Competency graph / 能力图谱',
    '#',
    '# Signed-in operations: open "Headers"',
    '# below and paste / 需要登录的操作：',
    '# 在下方 "Headers" 中粘贴',
    '#   {"Authorization": "Bearer <token>"}',
    '#',
    '# Ctrl-Space: complete / 补全',
    '# Ctrl-Enter: run / 运行',
    '',
    '{',
    '  __typename',
    '}',
    '',
  ].join('\n');

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: '/graphql' }),
      defaultQuery: defaultQuery,
      isHeadersEditorEnabled: true,
      // Open the headers tab so the Authorization header is easy to find.
      defaultEditorToolsVisibility: 'headers',
      // Tokens must not outlive the tab on shared classroom computers.
      shouldPersistHeaders: false,
    }),
  );
})();
