"""The procedure catalogue (danh mục thủ tục hành chính): procedures, their versions, components,
fees, online forms and internal processes."""
