/* The interactive citation graph of report.html (refcheck/report/graph_view.py
 * makes the data, templates/_graph.html.j2 the markup).
 *
 * Reads #graph-data (JSON), draws it with Cytoscape.js (vendored, inlined before
 * this script) into #citation-graph: a force layout run once and fitted with
 * padding (labels included, so none is cut at the edge), node size by citations,
 * colours by kind, dead links in red. Click a node: it and its neighbours stay,
 * the rest fades, and the side panel lists its provenance chain (article ->
 * article -> original source) and its neighbours. A search box finds and centres
 * a node; filters hide citation kinds or show dead links only.
 *
 * Every string from the corpus reaches the page through textContent or as
 * Cytoscape data (drawn on a canvas), never as markup. Runs under the page's
 * CSP: no eval, no inline handler, no request.
 * For tests: window.refcheckGraph is the Cytoscape instance, and #graph gets
 * data-graph-ready="yes" once drawn. */
(function () {
  'use strict';
  var section = document.getElementById('graph');
  var container = document.getElementById('citation-graph');
  var source = document.getElementById('graph-data');
  var status = document.getElementById('graph-status');
  var panel = document.getElementById('graph-panel');
  if (!section || !container || !source) { return; }
  if (typeof window.cytoscape !== 'function') {
    if (status) { status.textContent = 'The graph library did not load; graph.graphml and graph.json hold the graph.'; }
    section.setAttribute('data-graph-ready', 'no');
    return;
  }

  var data = JSON.parse(source.textContent || '{}');
  var nodes = data.nodes || [];
  var edges = data.edges || [];
  var kinds = data.citation_kinds || ['footnote', 'inline', 'link', 'mention'];
  var byId = {};
  nodes.forEach(function (node) { byId[node.id] = node; });
  var big = nodes.length > 300 || edges.length > 1500;

  function element(group, item, classes) {
    return { group: group, data: item, classes: classes.join(' ') };
  }
  // On a crowded canvas the labels of sources cited once wait for a zoom or a
  // highlight: drawn at once, they would cover the labels that matter.
  var onChain = {};
  nodes.forEach(function (node) {
    (node.chains || []).forEach(function (chain) { chain.forEach(function (id) { onChain[id] = true; }); });
  });
  var crowded = nodes.length > 40;
  function minor(node) {
    return crowded && node.kind !== 'article' && (node.citations || 0) < 2 && !onChain[node.id];
  }
  var elements = nodes.map(function (node) {
    return element('nodes', node, [node.kind, node.dead ? 'dead' : '', minor(node) ? 'minor' : '']);
  }).concat(edges.map(function (edge) {
    var flat = {
      id: edge.id, source: edge.source, target: edge.target, kind: edge.kind,
      count: edge.count, dead: edge.dead, by_kind: edge.by_kind || {}
    };
    return element('edges', flat, [edge.kind, edge.dead ? 'dead' : '']);
  }));

  var colours = { article: '#37474f', source: '#1565c0', publisher: '#7b1fa2', dead: '#c62828', chain: '#ef6c00',
    link: '#00897b', edge: '#90a4ae', published: '#9e9e9e' };
  var cy = window.cytoscape({
    container: container,
    elements: elements,
    wheelSensitivity: 0.3,
    minZoom: 0.02,
    maxZoom: 4,
    boxSelectionEnabled: false,
    style: [
      { selector: 'node', style: {
        'width': 'data(size)', 'height': 'data(size)', 'background-color': colours.source,
        'label': 'data(label)', 'font-size': 12, 'color': '#212121', 'text-valign': 'bottom', 'text-halign': 'center',
        'text-margin-y': 3, 'text-wrap': 'wrap', 'text-max-width': '110px', 'min-zoomed-font-size': 7,
        'text-background-color': '#ffffff', 'text-background-opacity': 0.75, 'text-background-padding': '1px',
        'border-width': 1, 'border-color': '#ffffff' } },
      { selector: 'node.article', style: { 'shape': 'round-rectangle', 'background-color': colours.article } },
      { selector: 'node.publisher', style: { 'shape': 'diamond', 'background-color': colours.publisher } },
      { selector: 'node.dead', style: { 'border-width': 3, 'border-color': colours.dead } },
      { selector: 'node.minor', style: { 'label': '' } },
      { selector: 'node.minor.zoomed, node.minor.highlighted', style: { 'label': 'data(label)' } },
      { selector: 'edge', style: {
        'width': 'mapData(count, 1, 10, 1, 5)', 'line-color': colours.edge, 'target-arrow-color': colours.edge,
        'target-arrow-shape': big ? 'none' : 'triangle', 'arrow-scale': 0.8,
        'curve-style': big ? 'haystack' : 'bezier', 'opacity': 0.75 } },
      { selector: 'edge.article-cites-article', style: {
        'line-color': colours.link, 'target-arrow-color': colours.link, 'width': 3 } },
      { selector: 'edge.republished-from', style: {
        'line-color': colours.link, 'target-arrow-color': colours.link, 'width': 3, 'line-style': 'dashed' } },
      { selector: 'edge.published-by', style: {
        'line-color': colours.published, 'target-arrow-color': colours.published, 'line-style': 'dashed', 'width': 1 } },
      { selector: 'edge.dead', style: { 'line-color': colours.dead, 'target-arrow-color': colours.dead } },
      { selector: '.faded', style: { 'opacity': 0.12, 'text-opacity': 0 } },
      { selector: 'node.highlighted', style: { 'opacity': 1, 'text-opacity': 1, 'z-index': 20 } },
      { selector: 'edge.highlighted', style: { 'opacity': 1, 'z-index': 15 } },
      { selector: 'node.focus', style: { 'border-width': 4, 'border-color': colours.chain, 'font-weight': 'bold' } },
      { selector: 'edge.chain', style: {
        'line-color': colours.chain, 'target-arrow-color': colours.chain, 'width': 4, 'opacity': 1, 'z-index': 30 } },
      { selector: 'node.chain', style: { 'border-width': 3, 'border-color': colours.chain } },
      { selector: '.filtered', style: { 'display': 'none' } }
    ],
    layout: { name: 'preset' }
  });
  window.refcheckGraph = cy;

  // ----------------------------------------------------------------- panel

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function add(parent, tag, text, className) {
    var made = document.createElement(tag);
    if (text !== undefined && text !== null) { made.textContent = String(text); }
    if (className) { made.className = className; }
    parent.appendChild(made);
    return made;
  }
  function jump(parent, id) {
    var item = byId[id];
    var button = add(parent, 'button', item ? item.full : id, 'graph-jump');
    button.type = 'button';
    button.setAttribute('data-node', id);
    button.addEventListener('click', function () { focus(id, true); });
    return button;
  }
  function plural(count, noun) { return count + ' ' + noun + (count === 1 ? '' : 's'); }

  function facts(item) {
    var parts = [item.kind];
    if (item.kind === 'article') {
      parts.push(plural(item.cites || 0, 'citation') + ' made');
      if (item.cited_by) { parts.push('cited by ' + plural(item.cited_by, 'article')); }
      if (item.dead) { parts.push(plural(item.dead, 'dead link')); }
    } else {
      parts.push(plural(item.citations || 0, 'citation') + ' from ' + plural(item.cited_by || 0, 'article'));
      if (item.dead) { parts.push(item.dead + ' dead'); }
    }
    return parts.join(' · ');
  }

  function neighbourList(title, ids) {
    if (!ids.length) { return; }
    add(panel, 'h4', title + ' (' + ids.length + ')');
    var list = add(panel, 'ul');
    ids.slice(0, 60).forEach(function (id) { jump(add(list, 'li'), id); });
    if (ids.length > 60) { add(list, 'li', '… ' + (ids.length - 60) + ' more', 'graph-note'); }
  }

  function showPanel(node) {
    var item = byId[node.id()];
    clear(panel);
    add(panel, 'h3', item.full).setAttribute('dir', 'auto');
    if (item.path && item.path !== item.full) { add(panel, 'p', item.path, 'graph-note').setAttribute('dir', 'auto'); }
    add(panel, 'p', facts(item));
    var chains = item.chains || [];
    add(panel, 'h4', 'Provenance');
    if (chains.length) {
      chains.forEach(function (chain) {
        var list = add(panel, 'ol', null, 'chain');
        chain.forEach(function (id) { jump(add(list, 'li'), id); });
      });
    } else if (item.kind === 'article') {
      add(panel, 'p', 'No chain: this article cites no other article of the corpus and names no outlet it was republished from.', 'graph-note');
    } else {
      add(panel, 'p', 'Chains start at articles; see the articles citing this one below.', 'graph-note');
    }
    var out = node.outgoers('node').filter(visible).map(function (n) { return n.id(); });
    var into = node.incomers('node').filter(visible).map(function (n) { return n.id(); });
    neighbourList(item.kind === 'article' ? 'Cites' : 'Points to', out.sort(byCitations));
    neighbourList('Cited by', into.sort(byCitations));
  }
  function byCitations(a, b) {
    return (byId[b].citations || 0) - (byId[a].citations || 0) || (a < b ? -1 : a > b ? 1 : 0);
  }
  function visible(element) { return !element.hasClass('filtered'); }

  // ----------------------------------------------------------------- highlight

  function reset() {
    cy.elements().removeClass('faded highlighted focus chain');
    clear(panel);
    add(panel, 'h3', 'Nothing selected');
    add(panel, 'p', 'Click a node, or find one by name, to list its neighbours and its provenance chain.', 'graph-note');
  }

  function markChains(item) {
    (item.chains || []).forEach(function (chain) {
      for (var i = 0; i < chain.length; i++) {
        cy.getElementById(chain[i]).addClass('chain highlighted').removeClass('faded');
        if (i + 1 < chain.length) {
          cy.edges().filter(function (edge) {
            return edge.data('source') === chain[i] && edge.data('target') === chain[i + 1];
          }).addClass('chain highlighted').removeClass('faded');
        }
      }
    });
  }

  function focus(id, centre) {
    var node = cy.getElementById(id);
    if (!node || node.empty()) { return false; }
    if (node.hasClass('filtered')) { clearFilters(); }
    var near = node.closedNeighborhood().filter(visible);
    cy.elements().removeClass('highlighted focus chain').addClass('faded');
    near.removeClass('faded').addClass('highlighted');
    node.addClass('focus');
    markChains(byId[id]);
    showPanel(node);
    if (centre) {
      // The node itself in the middle (cy.center would centre its box, label included).
      var zoom = Math.max(cy.zoom(), 1.1), at = node.position();
      cy.viewport({ zoom: zoom, pan: { x: cy.width() / 2 - at.x * zoom, y: cy.height() / 2 - at.y * zoom } });
    }
    section.setAttribute('data-focus', id);
    return true;
  }

  cy.on('zoom', function () {
    var near = cy.zoom() >= 1.6;
    var minors = cy.nodes('.minor');
    if (minors.length && minors[0].hasClass('zoomed') !== near) { minors.toggleClass('zoomed', near); }
  });
  cy.on('tap', 'node', function (event) { focus(event.target.id(), false); });
  cy.on('tap', function (event) { if (event.target === cy) { reset(); section.removeAttribute('data-focus'); } });

  // ----------------------------------------------------------------- filters

  var kindBoxes = Array.prototype.slice.call(document.querySelectorAll('#graph-kinds input[type=checkbox]'));
  var deadOnly = document.getElementById('graph-dead-only');

  function shownKinds() {
    var chosen = {};
    kindBoxes.forEach(function (box) { chosen[box.value] = box.checked; });
    kinds.forEach(function (kind) { if (!(kind in chosen)) { chosen[kind] = true; } });
    return chosen;
  }

  function edgeShown(edge, chosen, dead) {
    if (dead && !edge.data('dead')) { return false; }
    if (edge.data('kind') !== 'cites') { return true; }
    var counts = edge.data('by_kind') || {};
    return kinds.some(function (kind) { return chosen[kind] && counts[kind] > 0; });
  }

  function applyFilters() {
    var chosen = shownKinds();
    var dead = !!(deadOnly && deadOnly.checked);
    var everything = !dead && kinds.every(function (kind) { return chosen[kind]; });
    cy.batch(function () {
      cy.elements().removeClass('filtered');
      if (everything) { return; }
      cy.edges().forEach(function (edge) {
        if (!edgeShown(edge, chosen, dead)) { edge.addClass('filtered'); }
      });
      cy.nodes().forEach(function (node) {
        var kept = node.connectedEdges().some(visible);
        // Articles stay when only citation kinds are filtered: the corpus is the frame.
        if (!kept && (dead || node.data('kind') !== 'article')) { node.addClass('filtered'); }
      });
    });
    reset();
    section.removeAttribute('data-focus');
    report();
  }

  function clearFilters() {
    kindBoxes.forEach(function (box) { box.checked = true; });
    if (deadOnly) { deadOnly.checked = false; }
    applyFilters();
  }

  kindBoxes.forEach(function (box) { box.addEventListener('change', applyFilters); });
  if (deadOnly) { deadOnly.addEventListener('change', applyFilters); }

  // ----------------------------------------------------------------- search

  var search = document.getElementById('graph-search');
  var names = document.getElementById('graph-names');
  if (names) {
    nodes.slice().sort(function (a, b) { return (b.citations || 0) - (a.citations || 0); }).slice(0, 500)
      .forEach(function (node) { add(names, 'option').value = node.full; });
  }

  function find(text) {
    var needle = String(text || '').trim().toLowerCase();
    if (!needle) { return null; }
    var exact = null, partial = null;
    for (var i = 0; i < nodes.length && !exact; i++) {
      var node = nodes[i];
      var hay = [node.full, node.id, node.path || ''].map(function (s) { return String(s).toLowerCase(); });
      if (hay.indexOf(needle) >= 0) { exact = node; }
      else if (!partial && hay.some(function (s) { return s.indexOf(needle) >= 0; })) { partial = node; }
    }
    return exact || partial;
  }

  function searchNow() {
    var found = find(search.value);
    if (!found) {
      search.setCustomValidity('No node matches');
      report('No node matches “' + search.value + '”.');
      return;
    }
    search.setCustomValidity('');
    focus(found.id, true);
    report();
  }
  if (search) {
    search.addEventListener('change', searchNow);
    search.addEventListener('keydown', function (event) { if (event.key === 'Enter') { event.preventDefault(); searchNow(); } });
  }

  var fitButton = document.getElementById('graph-fit');
  if (fitButton) {
    fitButton.addEventListener('click', function () {
      clearFilters();
      cy.fit(cy.elements(), 40);
    });
  }

  // ----------------------------------------------------------------- status and layout

  function report(extra) {
    if (!status) { return; }
    var shownNodes = cy.nodes().filter(visible).length;
    var shownEdges = cy.edges().filter(visible).length;
    var text = plural(shownNodes, 'node') + ' and ' + plural(shownEdges, 'edge') + ' shown';
    var left = data.omitted || {};
    if (left.nodes) {
      text += '; left out to stay readable: ' + plural(left.nodes, 'smaller source') +
        ' (' + plural(left.citations || 0, 'citation') + ') and ' + plural(left.edges || 0, 'edge') +
        ' — graph.json, graph.graphml and graph.dot hold the whole graph';
    }
    status.textContent = text + '.' + (extra ? ' ' + extra : '');
  }

  function ready() {
    cy.fit(cy.elements(), 40);
    report();
    section.setAttribute('data-graph-ready', 'yes');
  }

  // Start from a spiral in the data's order, not at random: the same report draws
  // the same picture every time it is opened (cose itself is deterministic).
  cy.nodes().forEach(function (node, index) {
    var angle = index * 2.399963, radius = 12 * Math.sqrt(index + 1);
    node.position({ x: radius * Math.cos(angle), y: radius * Math.sin(angle) });
  });
  var layout = cy.layout({
    name: 'cose', animate: false, fit: false, randomize: false, nodeDimensionsIncludeLabels: false,
    idealEdgeLength: function () { return 60; }, nodeRepulsion: function () { return 8000; },
    nodeOverlap: 20, gravity: big ? 8 : 1.5, componentSpacing: 40, numIter: big ? 100 : 1500
  });
  layout.one('layoutstop', ready);
  layout.run();
}());
