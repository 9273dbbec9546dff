"""Alembic environment: online, the connection the service hands it; offline (--sql), a dialect's DDL.

See service.store.migrate (online) and service.store.generate (offline). The
migrations stand alone: no model module feeds them.
"""

from alembic import context

if context.is_offline_mode():
    # One flat list of statements: whoever runs the file wraps it in its own transaction.
    context.configure(
        dialect_name=context.config.attributes["dialect_name"],
        literal_binds=True,
        transactional_ddl=False,
        render_as_batch=False,
    )
else:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
