"""The GraphQL documents the product sends, as text, and the request bodies they go in.

Kept free of imports beyond the claim ref names so that a command can start its request
(``GhClient.prefetch``) before it imports the code that reads the answer: the hot commands'
imports then overlap the wait for GitHub (docs/ARCHITECTURE.md, Dependencies). The readers
(``github/issues.py``, ``github/claim_refs.py``) build their requests with these functions,
so what a command prefetches is byte for byte what it sends.
"""

from __future__ import annotations

from typing import Any

from maverick_ext.core.claim_ref_names import REF_PREFIX, ref_name

# ``fullDatabaseId``: comment ids outgrew the 32-bit ``databaseId`` Int.
# ``__typename``: a Bot's GraphQL login lacks the ``[bot]`` its REST login has.
# ``id``: the node id GraphQL edits take (a heartbeat edits the claim comment by it).
COMMENT_FIELDS = (
    "id fullDatabaseId body createdAt updatedAt authorAssociation author { __typename login }"
)
PAGE_INFO = "pageInfo { hasNextPage endCursor }"
# The connections of an issue that can hold more than one page, and the fields of a node.
PAGED_CONNECTIONS = {
    "labels": "name",
    "comments": COMMENT_FIELDS,
    "subIssues": "number",
    "blockedBy": "number",
}

ISSUE_FIELDS = (
    "\n  id fullDatabaseId number title state stateReason body url\n"
    + "".join(
        f"  {name}(first: 100) {{ {PAGE_INFO} nodes {{ {node} }} }}\n"
        for name, node in PAGED_CONNECTIONS.items()
    )
    + """  parent { number }
  closedByPullRequestsReferences(first: 10, includeClosedPrs: true) {
    nodes { number state merged url headRefName baseRefName }
  }
"""
)

SNAPSHOT_QUERY = f"""
query IssueSnapshot($owner: String!, $name: String!, $number: Int!) {{
  viewer {{ login }}
  repository(owner: $owner, name: $name) {{
    issueOrPullRequest(number: $number) {{
      __typename
      ... on Issue {{ {ISSUE_FIELDS} }}
    }}
  }}
}}
"""

BATCH_SIZE = 50

# A claim ref's tip: the claim record is the commit message (docs/claims.md).
TIP_FIELDS = "target { oid ... on Commit { message committedDate } }"
# The claim refs, selected beside an epic so its stories' holders come from the refs.
CLAIM_REFS_FIELDS = (
    f'claimRefs: refs(refPrefix: "{REF_PREFIX}", first: 100) '
    f"{{ {PAGE_INFO} nodes {{ name {TIP_FIELDS} }} }}"
)

# An epic with its stories and the claim refs in one request: the common epic commands
# (`epic next`, `epic status`) then make one call. Stories past the first BATCH_SIZE come
# in batches, claim refs past the first 100 in pages (``claim_refs.list_claim_refs``).
EPIC_QUERY = f"""
query EpicSnapshot($owner: String!, $name: String!, $number: Int!) {{
  viewer {{ login }}
  repository(owner: $owner, name: $name) {{
    isEmpty
    {CLAIM_REFS_FIELDS}
    issueOrPullRequest(number: $number) {{
      __typename
      ... on Issue {{
        {ISSUE_FIELDS}
        stories: subIssues(first: {BATCH_SIZE}) {{ nodes {{ {ISSUE_FIELDS} }} }}
      }}
    }}
  }}
}}
"""


def issue_read(query: str, owner: str, name: str, number: int) -> dict[str, Any]:
    """The body of a one-issue read (``SNAPSHOT_QUERY``, ``EPIC_QUERY``)."""
    return {"query": query, "variables": {"owner": owner, "name": name, "number": number}}


def claim_read(owner: str, name: str, numbers: list[int], label: str) -> dict[str, Any]:
    """The body of the claim commands' read: issues with every comment, their claim refs
    and the repository facts (``github.claim_refs.read_claims``), ``numbers`` sorted."""
    fields = "\n".join(
        f"i{n}: issueOrPullRequest(number: {n}) {{ __typename ... on Issue {{ {ISSUE_FIELDS} }} }}"
        f'\nr{n}: ref(qualifiedName: "{ref_name(n)}") {{ {TIP_FIELDS} }}'
        for n in numbers
    )
    query = (
        "query ClaimRead($owner: String!, $name: String!, $label: String!) { viewer { login } "
        "repository(owner: $owner, name: $name) { id viewerPermission isEmpty "
        f"label(name: $label) {{ id }} {fields} }} }}"
    )
    return {"query": query, "variables": {"owner": owner, "name": name, "label": label}}
