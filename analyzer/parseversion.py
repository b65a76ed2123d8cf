"""The parser's version, kept apart from `analyzer.parse` so that a query can compare an index's
parser with this one without loading tree-sitter (most of a cold query's start-up time)."""

# Bump when the facts a file yields change shape or content: the index re-parses blobs whose facts
# were made by another version, and queries of a commit an older parser read warn to index it.
# 19: the body of each function literal in a callee written `{…}` (its parameters as written) and
# its text cut after 500 bytes; an expression encoded 64 levels down
# 20: doc comments are go/ast's Doc as CommentGroup.Text gives it
# 21: a callee's text past 500 bytes keeps its first and last 250 bytes, cut between UTF-8
# characters; a comment after `go`/`defer` keeps the call's mode
# 22: `g[int](x)` and `pkg.G[int, string](x)`, which tree-sitter-go reads as conversions, are call
# sites; `ch <- f` is an assignment to ("recv", ch); docs are attached by the lines `//line`
# directives give, as go/parser attaches them; tree-sitter-go reads `handlers[name](x)`,
# `s.handlers[name](x)` and `go fs[i](3)` as such conversions too, so they are call sites
# 23: a `//line` directive ending in \r (a CRLF file) is read; one inside /* */ is not
PARSER_VERSION = 23
