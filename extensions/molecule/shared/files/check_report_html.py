#!/usr/bin/env python
# Molecule helper (test support): parse the cert_report HTML page with the standard library's html.parser and check
# that it is self-contained (one inline script without src, nothing that loads from the network) and names every
# vCenter in the page, and the given attention names in the chart.
#   check_report_html.py REPORT.html NAME [NAME...] [-- ATTENTION_NAME...]   -> JSON findings; exit 1 when a check fails
import json
import sys
from html.parser import HTMLParser

FORBIDDEN_TAGS = {'link', 'img', 'iframe', 'object', 'embed', 'image', 'use', 'foreignobject'}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.tags = {}
        self.forbidden = []
        self.external = []
        self.svg_text = []
        self.text = []
        self.unclosed_errors = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag in FORBIDDEN_TAGS:
            self.forbidden.append(tag)
        if tag == 'script' and any(name.lower() == 'src' for name, dummy in attrs):
            self.forbidden.append('script@src')
        for name, value in attrs:
            if name.lower().startswith('on'):
                self.forbidden.append('%s@%s' % (tag, name))
            if name.lower() in ('src', 'href', 'xlink:href', 'action') and value and not value.startswith('#'):
                self.external.append('%s %s=%s' % (tag, name, value))
            if name.lower() == 'style' and value and 'url(' in value:
                self.external.append('%s style url()' % tag)
        if tag not in ('meta', 'br', 'rect', 'line', 'input'):
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in ('meta', 'br', 'rect', 'line', 'input'):
            return
        if not self.stack or self.stack[-1] != tag:
            self.unclosed_errors.append('</%s> closes <%s>' % (tag, self.stack[-1] if self.stack else 'nothing'))
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        if 'svg' in self.stack:
            self.svg_text.append(data)


def main():
    path, names = sys.argv[1], sys.argv[2:]
    attention = []
    if '--' in names:
        attention = names[names.index('--') + 1:]
        names = names[:names.index('--')]
    with open(path, encoding='utf-8') as handle:
        content = handle.read()
    page = Page()
    page.feed(content)
    page.close()
    text = ' '.join(page.text)
    svg_text = ' '.join(page.svg_text)
    findings = {
        'tags': page.tags,
        'forbidden': page.forbidden,
        'external': page.external,
        'nesting_errors': page.unclosed_errors + (['unclosed: %s' % ', '.join(page.stack)] if page.stack else []),
        'missing_in_page': [n for n in names if n not in text],
        'missing_in_chart': [n for n in attention if n not in svg_text],
        'has_import': '@import' in content,
        'network_in_script': [word for word in ('fetch(', 'XMLHttpRequest', 'import(', 'http://', 'https://', 'WebSocket',
                                                'sendBeacon') if word in content],
    }
    problems = []
    if page.tags.get('script', 0) > 1:
        problems.append('expected at most one inline <script>, found %s' % page.tags['script'])
    if page.tags.get('svg') != 1:
        problems.append('expected exactly one inline <svg>, found %s' % page.tags.get('svg', 0))
    for key in ('forbidden', 'external', 'nesting_errors', 'missing_in_page', 'missing_in_chart', 'network_in_script'):
        if findings[key]:
            problems.append('%s: %s' % (key, findings[key]))
    if findings['has_import']:
        problems.append('CSS @import found')
    findings['problems'] = problems
    print(json.dumps(findings))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
