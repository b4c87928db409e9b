"""A loopback stand-in for an OpenVox/Yeastar PBX and for OneNET voice, for the demo and the tests.

It speaks the wire protocols of ``shared/reference`` as documented, and shares no code with the
integration: its OneNET signature check is a second, independent implementation.
"""
