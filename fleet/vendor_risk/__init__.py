"""Vendor-origin risk: which maker is behind each camera, where it is based and which restrictions name it."""
