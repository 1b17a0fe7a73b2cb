import asyncio
import pydantic
from typing import Any
from pydantic import BaseModel, Field
import skyvern
from skyvern import RunContext, SkyvernPage


class WorkflowParameters(BaseModel):
    pages: str




class GeneratedWorkflowParameters(BaseModel):
    """Generated schema representing all input_text action values from the workflow run."""
    pass


@skyvern.workflow(title = 'Read two pages of Acme Parts in a loop')
async def run_workflow(
    parameters: WorkflowParameters | dict[str, Any],
):
    parameters = parameters.model_dump() if isinstance(parameters, WorkflowParameters) else parameters
    page, context = await skyvern.setup(parameters, GeneratedWorkflowParameters)
    async for current_value in skyvern.loop(values = 'pages', label = 'read_pages'):
        await skyvern.extract(
            prompt = "Extract the page's heading and its first paragraph.", 
            schema = {'type': 'object', 'properties': {'heading': {'type': 'string'}, 'text': {'type': 'string'}}}, 
            url = skyvern.render_template('{{ current_value }}'), 
            label = 'read_page',
        )
    await skyvern.extract(
        prompt = 'Extract what the help page says about usernames and passwords.', 
        schema = {'type': 'object', 'properties': {'sign_in_rule': {'type': 'string'}}}, 
        url = 'http://127.0.0.1:8865/help.html', 
        label = 'read_help',
    )
    await skyvern.run_code(
        code = "result = {'pages_read': 2, 'note': 'computed by a code block'}", 
        label = 'count_pages', 
        parameters = [],
    )


@skyvern.cached(cache_key = 'read_help')
async def read_help(page: SkyvernPage, context: RunContext):
    await page.goto('http://127.0.0.1:8865/help.html')
    output = await page.extract(
        prompt = 'Extract what the help page says about usernames and passwords.', 
        schema = {'type': 'object', 'properties': {'sign_in_rule': {'type': 'string'}}},
    )
    return output


@skyvern.cached(cache_key = 'read_page')
async def read_page(page: SkyvernPage, context: RunContext):
    await page.goto(skyvern.render_template('{{ current_value }}'))
    output = await page.extract(
        prompt = "Extract the page's heading and its first paragraph.", 
        schema = {'type': 'object', 'properties': {'heading': {'type': 'string'}, 'text': {'type': 'string'}}},
    )
    return output
