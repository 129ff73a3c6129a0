"""Contract-life imports (programmation, engagements, enquêtes), next to the store they write to.

`python -m loaders import programmation|engagements|enquete FILE --contrat CODE` dispatches here; pages
upload through the same `import_file` functions (validation first, then one all-or-nothing transaction).
"""
