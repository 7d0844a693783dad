"""The trader's portal: lodging through a form, drafts, questions and answers, documents,
paying and notifications (docs/portal.md).

The pure core turns the form's fields into the same JSON document the API takes
(:mod:`~silkgate.portal.form`) and recognises an upload's type from its content
(:mod:`~silkgate.portal.uploads`); the use cases are in
:mod:`~silkgate.portal.services`, the console's pages in :mod:`silkgate.web.portal`.
"""
