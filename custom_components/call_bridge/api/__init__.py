"""Wire protocols of the providers, one package per vendor API.

Each package (``yeastar_s``: OpenVox UC and Yeastar S-Series; ``onenet``: China Mobile OneNET voice)
holds its client, its exceptions and its data model, imports nothing from Home Assistant, from
Call Bridge or from another vendor's package, and could be published as a library of its own.
``common`` is the little they share that belongs to no vendor.
"""
