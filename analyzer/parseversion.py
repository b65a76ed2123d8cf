"""The parser's version, kept apart from `analyzer.parse` so that a query can compare an index's
parser with this one without loading tree-sitter (most of a cold query's start-up time)."""

# Bump when the facts a file yields change shape or content: the index re-parses blobs whose facts
# were made by another version, and queries of a commit an older parser read warn to index it.
# 19: a callee's function literals written `func(…) {…}` and its text cut after 500 bytes; an
# expression encoded 64 levels down
# 20: doc comments are go/ast's Doc as CommentGroup.Text gives it
PARSER_VERSION = 20
